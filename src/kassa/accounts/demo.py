"""Demo data: customers with accounts and a few months of history, posted through the ledger."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kassa.accounts.service import open_account
from kassa.audit.service import SYSTEM
from kassa.customers.service import create_customer
from kassa.demo_hooks import register_demo_hook
from kassa.identity.models import Organisation, User
from kassa.kit.clock import utcnow
from kassa.kit.money import Money
from kassa.ledger import service as ledger

MERCHANTS = [
    "Grocery Mart",
    "City Transit",
    "Corner Cafe",
    "Bookstore Oy",
    "Pharmacy Plus",
    "Streamly",
    "Power & Light Co",
    "Mobile Telecom",
]


def _external(account_id: uuid.UUID, name: str) -> dict[str, object]:
    return {"parties": {str(account_id): {"name": name, "number": None}}}


@register_demo_hook
def seed_accounts(session: Session) -> None:
    rnd = random.Random(2026)
    users = {u.email: u for u in session.scalars(sa.select(User))}
    northwind = session.scalar(
        sa.select(Organisation).where(Organisation.name == "Northwind Trading LLC")
    )
    anna = create_customer(
        session,
        SYSTEM,
        kind="individual",
        display_name="Anna Virtanen",
        user_ids=[users["anna@example.com"].id],
        kyc_status="verified",
    )
    ben = create_customer(
        session,
        SYSTEM,
        kind="individual",
        display_name="Ben Ortiz",
        user_ids=[users["ben@example.com"].id],
        kyc_status="verified",
    )
    nw = create_customer(
        session,
        SYSTEM,
        kind="business",
        display_name="Northwind Trading LLC",
        org_id=northwind.id if northwind else None,
        kyc_status="verified",
        user_ids=[users["owner@northwind.example"].id],
    )
    start = utcnow() - timedelta(days=120)
    anna_cur = open_account(
        session,
        SYSTEM,
        anna.id,
        product="current",
        currency="USD",
        name="Everyday",
        opened_at=start,
    ).id
    anna_sav = open_account(
        session,
        SYSTEM,
        anna.id,
        product="savings",
        currency="USD",
        name="Rainy day",
        opened_at=start,
    ).id
    ben_cur = open_account(
        session, SYSTEM, ben.id, product="current", currency="USD", opened_at=start
    ).id
    nw_cur = open_account(
        session,
        SYSTEM,
        nw.id,
        product="current",
        currency="USD",
        name="Operating",
        overdraft_limit=500_000,
        opened_at=start,
    ).id
    bank = ledger.bank_account(session, "settlement", "USD")
    fees = ledger.bank_account(session, "fee_income", "USD")
    names = {
        anna_cur: "Anna Virtanen",
        anna_sav: "Anna Virtanen",
        ben_cur: "Ben Ortiz",
        nw_cur: "Northwind Trading LLC",
    }
    specs: list[ledger.EntrySpec] = []

    def inflow(hour: int, account: uuid.UUID, amount: int, text: str, payer: str) -> None:
        specs.append(
            ledger.transfer(
                bank,
                account,
                Money(amount, "USD"),
                description=text,
                meta=_external(account, payer),
                booked_at=start + timedelta(hours=hour),
            )
        )

    def outflow(hour: int, account: uuid.UUID, amount: int, text: str, payee: str) -> None:
        specs.append(
            ledger.transfer(
                account,
                bank,
                Money(amount, "USD"),
                description=text,
                meta=_external(account, payee),
                booked_at=start + timedelta(hours=hour),
            )
        )

    def between(hour: int, src: uuid.UUID, dst: uuid.UUID, amount: int, text: str) -> None:
        numbers: dict[uuid.UUID, str] = dict(
            session.execute(
                sa.text("SELECT id, number FROM accounts WHERE id IN (:a, :b)"),
                {"a": src, "b": dst},
            ).all()
        )
        specs.append(
            ledger.transfer(
                src,
                dst,
                Money(amount, "USD"),
                description=text,
                meta={
                    "parties": {
                        str(src): {"name": names[dst], "number": numbers[dst]},
                        str(dst): {"name": names[src], "number": numbers[src]},
                    }
                },
                booked_at=start + timedelta(hours=hour),
            )
        )

    inflow(5, nw_cur, 2_500_000, "Opening deposit", "Northwind Trading LLC")
    inflow(7, ben_cur, 150_000, "Opening deposit", "Ben Ortiz")
    for month in range(4):
        base = month * 30 * 24
        inflow(base + 34, anna_cur, 420_000, "Salary", "Acme Corp Payroll")
        inflow(base + 50, ben_cur, 365_000, "Salary", "Harbor Logistics")
        outflow(base + 84, anna_cur, 145_000, "Rent", "Helsinki Homes")
        between(base + 96, anna_cur, anna_sav, 50_000, "Monthly saving")
        between(base + 216, ben_cur, anna_cur, rnd.randint(2_000, 9_000), "Dinner, split")
        for _ in range(4):
            inflow(
                base + rnd.randint(24, 29 * 24),
                nw_cur,
                rnd.randint(80_000, 900_000),
                f"Invoice {rnd.randint(1000, 9999)}",
                rnd.choice(["Contoso Retail", "Fabrikam Inc", "Tailspin Toys", "Litware"]),
            )
        for _ in range(3):
            outflow(
                base + rnd.randint(24, 29 * 24),
                nw_cur,
                rnd.randint(50_000, 600_000),
                "Supplier payment",
                rnd.choice(["Adatum Supplies", "Proseware", "Woodgrove"]),
            )
        specs.append(
            ledger.transfer(
                nw_cur,
                fees,
                Money(1_250, "USD"),
                description="Monthly account fee",
                meta=_external(nw_cur, "Kassa Demo Bank"),
                booked_at=start + timedelta(hours=base + 25 * 24),
            )
        )
        for who in (anna_cur, ben_cur):
            for _ in range(8):
                shop = rnd.choice(MERCHANTS)
                outflow(
                    base + rnd.randint(48, 29 * 24 + 12),
                    who,
                    rnd.randint(350, 12_000),
                    f"Card payment {shop}",
                    shop,
                )
    specs.sort(key=lambda s: s.booked_at or start)
    for result in ledger.post_entries(session, specs, atomic=True):
        assert result.ok
    ledger.post_entry(
        session,
        ledger.transfer(
            nw_cur,
            fees,
            Money(500, "USD"),
            description="Wire fee",
            meta=_external(nw_cur, "Kassa Demo Bank"),
            booked_at=start + timedelta(days=100),
        ),
    )
