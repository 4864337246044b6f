"""Demo data of later domains (ledger, accounts, payments ...) registers here."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

DemoHook = Callable[[Session], None]
_hooks: list[DemoHook] = []


def register_demo_hook(hook: DemoHook) -> DemoHook:
    _hooks.append(hook)
    return hook


def run_demo_hooks(session: Session) -> None:
    for hook in _hooks:
        hook(session)
