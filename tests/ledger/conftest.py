from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from kassa.app import create_app
from kassa.demo import load_demo
from kassa.kit.db import unit_of_work
from kassa.ledger import service as L


def make_accounts(prefix: str = "t") -> dict[str, uuid.UUID]:
    """A small chart: the bank's settlement and fee income, three customers, one in EUR."""
    with unit_of_work() as s:
        return {
            "bank": L.bank_account(s, "settlement", "USD"),
            "fees": L.bank_account(s, "fee_income", "USD"),
            "alice": L.create_account(
                s, code=f"{prefix}.alice", name="Alice", type="liability", currency="USD"
            ).id,
            "bob": L.create_account(
                s, code=f"{prefix}.bob", name="Bob", type="liability", currency="USD"
            ).id,
            "carol": L.create_account(
                s,
                code=f"{prefix}.carol",
                name="Carol",
                type="liability",
                currency="USD",
                overdraft_limit=500,
            ).id,
            "eve_eur": L.create_account(
                s, code=f"{prefix}.eve", name="Eve", type="liability", currency="EUR"
            ).id,
        }


@pytest.fixture
def accts(db_url: str) -> dict[str, uuid.UUID]:
    return make_accounts()


@pytest.fixture
def app_client(db_url: str) -> Iterator[TestClient]:
    load_demo()
    with TestClient(create_app()) as client:
        yield client
