"""What a journal entry is, and the checks it passes before any posting path touches the
database: legs, entry specs and results, amounts from the outside world, request hashes."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kassa.kit.money import CURRENCIES, MAX_MINOR, MIN_MINOR, Money
from kassa.ledger import errors as E

MAX_BATCH = 1000


@dataclass(frozen=True, slots=True)
class Leg:
    """One posting: ``amount`` in minor units, debit positive, credit negative."""

    account_id: uuid.UUID
    amount: int
    currency: str


@dataclass(slots=True)
class EntrySpec:
    legs: Sequence[Leg]
    description: str = ""
    kind: str = "entry"
    key: str | None = None
    meta: dict[str, Any] | None = None
    booked_at: datetime | None = None
    reverses_id: uuid.UUID | None = None
    hold_id: uuid.UUID | None = None


@dataclass(slots=True)
class PostResult:
    entry_id: uuid.UUID | None
    replayed: bool = False
    error: E.LedgerError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def transfer(
    debit_account_id: uuid.UUID,
    credit_account_id: uuid.UUID,
    amount: Money,
    *,
    key: str | None = None,
    description: str = "",
    meta: dict[str, Any] | None = None,
    booked_at: datetime | None = None,
) -> EntrySpec:
    """A two-posting entry: debit one account, credit the other."""
    if not isinstance(amount, Money):
        raise E.AmountNotInteger("Transfers take Money (integer minor units and a currency).")
    return EntrySpec(
        legs=(
            Leg(debit_account_id, amount.amount, amount.currency),
            Leg(credit_account_id, -amount.amount, amount.currency),
        ),
        description=description,
        kind="transfer",
        key=key,
        meta=meta,
        booked_at=booked_at,
    )


def to_money(amount: object, currency: object) -> Money:
    """Check an amount from the outside world; each kind of bad input has its own error."""
    if not isinstance(currency, str) or currency not in CURRENCIES:
        raise E.UnknownCurrency(f"{currency!r} is not an ISO 4217 currency Kassa serves.")
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise E.AmountNotInteger("Amounts are integers of minor units (cents), never floats.")
    # The sign first: a negative amount is refused as such however large it is (-2**63
    # would otherwise be "too large", though it is a 64-bit integer).
    if amount <= 0:
        raise E.AmountNotPositive("The amount must be greater than zero.")
    if amount > MAX_MINOR:
        raise E.AmountTooLarge("The amount does not fit in a signed 64-bit integer.")
    return Money(amount, currency)


def validate(spec: EntrySpec) -> None:
    """Refuse an entry that no balance could make valid (LedgerError): its shape, amounts and
    currencies. Every posting path calls it before it touches the database."""
    if len(spec.legs) < 2:
        raise E.Unbalanced("A journal entry needs two or more postings.")
    totals: dict[str, int] = {}
    seen: set[uuid.UUID] = set()
    for leg in spec.legs:
        if leg.currency not in CURRENCIES:
            raise E.UnknownCurrency(f"{leg.currency!r} is not an ISO 4217 currency Kassa serves.")
        if isinstance(leg.amount, bool) or not isinstance(leg.amount, int):
            raise E.AmountNotInteger("Amounts are integers of minor units, never floats.")
        if not MIN_MINOR <= leg.amount <= MAX_MINOR:
            raise E.AmountTooLarge("The amount does not fit in a signed 64-bit integer.")
        if leg.amount == 0:
            raise E.AmountNotPositive("A posting moves a non-zero amount.")
        totals[leg.currency] = totals.get(leg.currency, 0) + leg.amount
        seen.add(leg.account_id)
    if any(totals.values()):
        raise E.Unbalanced(
            "Debits and credits differ in " + ", ".join(c for c, t in totals.items() if t)
        )
    if len(seen) == 1:
        raise E.SameAccount("An entry must move money between different accounts.")


def request_hash(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def spec_hash(spec: EntrySpec) -> str:
    return request_hash(
        {
            "kind": spec.kind,
            "legs": [[str(g.account_id), g.amount, g.currency] for g in spec.legs],
            "description": spec.description,
            "meta": spec.meta,
            "reverses": spec.reverses_id,
            "hold": spec.hold_id,
        }
    )
