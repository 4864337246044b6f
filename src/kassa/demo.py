"""Demo data: the bank, its staff, a retail customer, a company and a partner, with roles.

Loaded once; a second run finds the bank and leaves everything as it is.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kassa.audit.service import SYSTEM, record
from kassa.identity.crypto import hash_password
from kassa.identity.models import Organisation, Role, RoleGrant, User, UserRole
from kassa.identity.sections import Level, Section, UserKind
from kassa.kit.db import unit_of_work

# Demo-only password, printed on start; never use the demo data in production.
DEMO_PASSWORD = "kassa-demo-2026"

ROLES: dict[str, tuple[UserKind, str, dict[Section, Level]]] = {
    "bank-admin": (
        UserKind.STAFF,
        "Bank administrator: everything, including approvals",
        dict.fromkeys(Section, Level.APPROVE),
    ),
    "bank-operator": (
        UserKind.STAFF,
        "Back office: users, accounts, payments; no approvals",
        {
            Section.ADMIN: Level.WRITE,
            Section.ACCOUNTS: Level.WRITE,
            Section.PAYMENTS: Level.WRITE,
            Section.MONITORING: Level.READ,
            Section.SUPPORT: Level.WRITE,
            Section.AUDIT: Level.READ,
        },
    ),
    "auditor": (
        UserKind.STAFF,
        "Internal audit: read-only",
        {
            Section.AUDIT: Level.READ,
            Section.MONITORING: Level.READ,
            Section.ADMIN: Level.READ,
        },
    ),
    "retail-customer": (
        UserKind.INDIVIDUAL,
        "Retail customer",
        {
            Section.ACCOUNTS: Level.WRITE,
            Section.SUPPORT: Level.WRITE,
            Section.PRODUCTS: Level.WRITE,
            Section.DOCUMENTS: Level.WRITE,
        },
    ),
    "business-owner": (
        UserKind.BUSINESS,
        "Company owner: payments with approval",
        {
            Section.ACCOUNTS: Level.APPROVE,
            Section.PAYMENTS: Level.APPROVE,
            Section.ANALYTICS: Level.READ,
            Section.SUPPORT: Level.WRITE,
            Section.DOCUMENTS: Level.WRITE,
        },
    ),
    "partner-manager": (
        UserKind.PARTNER,
        "Partner's managing user",
        {
            Section.PARTNERS: Level.APPROVE,
            Section.DOCUMENTS: Level.WRITE,
            Section.ANALYTICS: Level.READ,
            Section.SUPPORT: Level.WRITE,
            Section.ADMIN: Level.WRITE,
        },
    ),
}

# (e-mail, name, kind, organisation key, roles, phone, SMS 2FA on)
USERS = [
    (
        "admin@kassa.example",
        "Alex Admin",
        UserKind.STAFF,
        "bank",
        ["bank-admin"],
        "+15550100001",
        False,
    ),
    ("checker@kassa.example", "Chris Checker", UserKind.STAFF, "bank", ["bank-admin"], None, False),
    (
        "operator@kassa.example",
        "Olga Operator",
        UserKind.STAFF,
        "bank",
        ["bank-operator"],
        None,
        False,
    ),
    ("auditor@kassa.example", "Audrey Auditor", UserKind.STAFF, "bank", ["auditor"], None, False),
    (
        "anna@example.com",
        "Anna Virtanen",
        UserKind.INDIVIDUAL,
        "bank",
        ["retail-customer"],
        "+358401234567",
        True,
    ),
    ("ben@example.com", "Ben Ortiz", UserKind.INDIVIDUAL, "bank", ["retail-customer"], None, False),
    (
        "owner@northwind.example",
        "Nora Northwind",
        UserKind.BUSINESS,
        "northwind",
        ["business-owner"],
        None,
        False,
    ),
    (
        "manager@partner.example",
        "Pavel Partner",
        UserKind.PARTNER,
        "partner",
        ["partner-manager"],
        None,
        False,
    ),
]


def demo_loaded(session: Session) -> bool:
    return session.scalar(sa.select(sa.func.count()).select_from(Organisation)) != 0


def seed_identity(session: Session, password: str = DEMO_PASSWORD) -> dict[str, User]:
    orgs = {
        "bank": Organisation(name="Kassa Demo Bank", kind="bank"),
        "northwind": Organisation(
            name="Northwind Trading LLC", kind="company", registration_number="US-DE-5550123"
        ),
        "partner": Organisation(name="Harbor Insurance Partners", kind="partner"),
    }
    session.add_all(orgs.values())
    roles: dict[str, Role] = {}
    for name, (kind, description, grants) in ROLES.items():
        role = Role(name=name, description=description, user_kind=kind.value)
        session.add(role)
        session.flush()
        roles[name] = role
        for section, level in grants.items():
            session.add(RoleGrant(role_id=role.id, section=section.value, level=level.label))
    password_hash = hash_password(password)
    users: dict[str, User] = {}
    for email, name, kind, org_key, role_names, phone, sms in USERS:
        user = User(
            org_id=orgs[org_key].id,
            kind=kind.value,
            email=email,
            full_name=name,
            phone=phone,
            status="active",
            password_hash=password_hash,
            sms_2fa_enabled=sms,
        )
        session.add(user)
        session.flush()
        users[email] = user
        for role_name in role_names:
            session.add(UserRole(user_id=user.id, role_id=roles[role_name].id))
    session.flush()
    record(session, "demo.loaded", SYSTEM, details={"users": len(users)})
    return users


def load_demo() -> bool:
    """Load the demo data unless it is there; returns whether it loaded anything."""
    with unit_of_work() as session:
        if demo_loaded(session):
            return False
        seed_identity(session)
        # Later domains add their demo data through this hook.
        import kassa.accounts.demo  # noqa: F401  (registers the accounts demo hook)
        from kassa.demo_hooks import run_demo_hooks
        from kassa.support import demo as _support_demo  # noqa: F401  (feedback demo hook)

        run_demo_hooks(session)
    return True


def print_logins() -> None:
    print("\nKassa demo logins (password for all: " + DEMO_PASSWORD + ")")
    for email, _name, kind, _org, roles, _phone, sms in USERS:
        extra = "  [SMS code: `kassa sms list` or Admin > SMS outbox]" if sms else ""
        print(f"  {email:<28} {kind.value:<10} {', '.join(roles)}{extra}")
    print()
