"""What `kassa user ...` does: the same services as the API, acting as the system."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
import typer
from sqlalchemy.orm import Session

from kassa.identity import admin_service
from kassa.identity.crypto import hash_password
from kassa.identity.models import User
from kassa.identity.principal import Principal
from kassa.identity.sections import Level, Section, UserKind
from kassa.kit.db import unit_of_work
from kassa.kit.errors import ProblemError


def system_principal(session: Session) -> Principal:
    """The shell acts with full staff authority, recorded as 'cli' in the audit trail."""
    bank = admin_service.bank_org(session)
    return Principal(
        uuid.UUID(int=0),
        bank.id,
        UserKind.STAFF,
        "cli",
        "Command line",
        dict.fromkeys(Section, Level.APPROVE),
        via="cli",
    )


def _find(session: Session, email: str) -> User:
    user = session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.lower()))
    if user is None:
        typer.echo(f"no user with e-mail {email}", err=True)
        raise typer.Exit(1)
    return user


def _run(action: str, fn: object) -> None:
    try:
        fn()  # type: ignore[operator]
    except ProblemError as exc:
        typer.echo(f"{action} failed: {exc.detail or exc.title} ({exc.code})", err=True)
        raise typer.Exit(1) from exc


def create_user(
    email: str, full_name: str, kind: str, org: str | None, roles: list[str], password: str | None
) -> None:
    def work() -> None:
        with unit_of_work() as session:
            actor = system_principal(session)
            user = admin_service.create_user(
                session,
                actor,
                email=email,
                full_name=full_name,
                kind=kind,
                org_id=uuid.UUID(org) if org else None,
                phone=None,
                roles=roles,
            )
            if password:
                user.password_hash = hash_password(password)
                user.status = "active"
            typer.echo(f"created {user.kind} user {user.email} ({user.id}), status {user.status}")

    _run("create", work)


def grant(email: str, section: str, level: str | None) -> None:
    if section not in {s.value for s in Section}:
        typer.echo(
            f"unknown section {section}; one of: {', '.join(s.value for s in Section)}", err=True
        )
        raise typer.Exit(1)
    if level is not None and level not in {"none", "read", "write", "approve"}:
        typer.echo("level must be none, read, write or approve", err=True)
        raise typer.Exit(1)

    def work() -> None:
        with unit_of_work() as session:
            user = _find(session, email)
            outcome = admin_service.set_user_grant(
                session, system_principal(session), user.id, Section(section), level
            )
            if outcome.pending is not None:
                typer.echo(f"waiting for approval: request {outcome.pending.id}")
            else:
                typer.echo(f"{email}: {section} override = {level or '(roles decide)'}")

    _run("grant", work)


def disable(email: str) -> None:
    def work() -> None:
        with unit_of_work() as session:
            user = _find(session, email)
            outcome = admin_service.set_user_status(
                session, system_principal(session), user.id, "disabled"
            )
            if outcome.pending is not None:
                typer.echo(f"waiting for approval: request {outcome.pending.id}")
            else:
                typer.echo(f"{email}: disabled, sessions ended")

    _run("disable", work)
