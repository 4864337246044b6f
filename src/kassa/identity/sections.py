"""Sections of the platform and access levels.

A permission is a level on a section. Levels are ordered: a higher level includes the lower.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Section(StrEnum):
    ADMIN = "admin"  # users, organisations, roles, grants, API keys, approvals
    AUDIT = "audit"
    MONITORING = "monitoring"
    ACCOUNTS = "accounts"
    PAYMENTS = "payments"
    ANALYTICS = "analytics"
    PRODUCTS = "products"
    RISK = "risk"
    PARTNERS = "partners"
    DOCUMENTS = "documents"
    SUPPORT = "support"  # customer feedback and the bank's answers


class Level(IntEnum):
    NONE = 0
    READ = 1
    WRITE = 2
    APPROVE = 3

    @classmethod
    def parse(cls, name: str) -> Level:
        return cls[name.upper()]

    @property
    def label(self) -> str:
        return self.name.lower()


class UserKind(StrEnum):
    STAFF = "staff"
    INDIVIDUAL = "individual"
    BUSINESS = "business"
    PARTNER = "partner"


class OrgKind(StrEnum):
    BANK = "bank"
    COMPANY = "company"
    PARTNER = "partner"


# Which sections a kind of user can ever be granted: a customer never gets staff sections,
# whatever a role says. The ceiling keeps a misconfigured role from leaking bank-only data.
SECTION_CEILING: dict[UserKind, dict[Section, Level]] = {
    UserKind.STAFF: dict.fromkeys(Section, Level.APPROVE),
    UserKind.INDIVIDUAL: {
        Section.ACCOUNTS: Level.WRITE,
        Section.PRODUCTS: Level.WRITE,
        Section.SUPPORT: Level.WRITE,
        Section.DOCUMENTS: Level.WRITE,
    },
    UserKind.BUSINESS: {
        Section.ACCOUNTS: Level.APPROVE,
        Section.PAYMENTS: Level.APPROVE,
        Section.ANALYTICS: Level.READ,
        Section.SUPPORT: Level.WRITE,
        Section.DOCUMENTS: Level.WRITE,
        Section.PRODUCTS: Level.WRITE,
    },
    UserKind.PARTNER: {
        Section.PARTNERS: Level.APPROVE,
        Section.DOCUMENTS: Level.WRITE,
        Section.ANALYTICS: Level.READ,
        Section.SUPPORT: Level.WRITE,
        # A partner's managing user manages the company's own users (PRT-03).
        Section.ADMIN: Level.WRITE,
    },
}

# Which organisation kind each user kind belongs to.
ORG_KIND_FOR_USER: dict[UserKind, OrgKind] = {
    UserKind.STAFF: OrgKind.BANK,
    UserKind.INDIVIDUAL: OrgKind.BANK,
    UserKind.BUSINESS: OrgKind.COMPANY,
    UserKind.PARTNER: OrgKind.PARTNER,
}
