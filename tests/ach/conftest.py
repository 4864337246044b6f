"""Shared fixtures for the kassa.ach tests: the conformance corpus and sample files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kassa.ach import EntryInput, FileBuilder

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "ach"


def load_manifest() -> list[dict[str, Any]]:
    """The corpus manifest, or [] when the corpus is absent."""
    path = CORPUS / "manifest.json"
    if not path.is_file():
        return []
    data: list[dict[str, Any]] = json.loads(path.read_text())
    return data


MANIFEST = load_manifest()


def corpus_file(name: str) -> Path:
    """Path of one corpus file; skips the test when the corpus is not beside the repo."""
    path = CORPUS / "files" / name
    if not path.is_file():
        pytest.skip(
            f"conformance corpus not found at {CORPUS} (shared/ is not beside the repository)"
        )
    return path


def require_corpus() -> None:
    """Skip when the corpus folder is absent."""
    if not MANIFEST:
        pytest.skip(
            f"conformance corpus not found at {CORPUS} (shared/ is not beside the repository)"
        )


def sample_builder(sec: str = "PPD", n: int = 3) -> FileBuilder:
    """A small valid file: credits and debits to two RDFIs."""
    b = FileBuilder(
        "231380104",
        "121042882",
        "Federal Reserve Bank",
        "My Bank Name",
        file_creation_date="250102",
        file_creation_time="1200",
    )
    batch = b.add_batch(sec, "Kassa Payroll", "1234567890", "PAYROLL", "12104288", "250103")
    for i in range(n):
        batch.add_entry(
            EntryInput(
                22 if i % 2 == 0 else 27,
                "231380104" if i % 2 == 0 else "121042882",
                f"ACC{i:05d}",
                1000 + i,
                individual_name=f"Person {i}",
            )
        )
    return b


@pytest.fixture
def sample_text() -> str:
    """A valid PPD file as text."""
    from kassa.ach import dumps

    return dumps(sample_builder().build())
