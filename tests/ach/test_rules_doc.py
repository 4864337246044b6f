"""docs/ach-rules.md is generated from the rule registry and must be current."""

from __future__ import annotations

import re
from pathlib import Path

from kassa.ach.rules import RULES
from kassa.ach.rules_doc import render

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "kassa" / "ach"


def test_rules_doc_is_current() -> None:
    doc = ROOT / "docs" / "ach-rules.md"
    assert doc.read_text() == render(), (
        "docs/ach-rules.md is stale: run python -m kassa.ach.rules_doc > docs/ach-rules.md"
    )


def test_every_rule_used_is_documented_and_vice_versa() -> None:
    used: set[str] = set()
    for path in PACKAGE.glob("*.py"):
        if path.name in ("rules.py", "rules_doc.py"):
            continue
        used |= set(re.findall(r'"(ACH-[A-Z0-9-]+)"', path.read_text()))
    assert used - set(RULES) == set(), "rule codes used but not registered"
    assert set(RULES) - used == set(), "rule codes registered but never reported"


def test_enough_rules() -> None:
    assert len(RULES) >= 30
