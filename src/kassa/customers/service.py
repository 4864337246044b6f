"""Customers: who they are, their KYC status, and which users may act for them."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kassa.audit.service import Actor, record
from kassa.customers.models import Customer, CustomerUser
from kassa.identity.models import Organisation, User
from kassa.identity.principal import Principal
from kassa.identity.sections import UserKind
from kassa.kit.errors import NotFound, Unprocessable


def customer_ids_for(session: Session, principal: Principal) -> list[uuid.UUID]:
    """The customers this (non-staff) user may act for: linked ones, and their company."""
    linked = sa.select(CustomerUser.customer_id).where(CustomerUser.user_id == principal.user_id)
    query = sa.select(Customer.id).where(Customer.id.in_(linked))
    if principal.kind is UserKind.BUSINESS:
        query = sa.select(Customer.id).where(
            sa.or_(Customer.id.in_(linked), Customer.org_id == principal.org_id)
        )
    return list(session.scalars(query))


def may_act_for(session: Session, principal: Principal, customer_id: uuid.UUID) -> bool:
    return principal.is_staff or customer_id in customer_ids_for(session, principal)


def create_customer(
    session: Session,
    actor: Actor,
    *,
    kind: str,
    display_name: str,
    org_id: uuid.UUID | None = None,
    user_ids: list[uuid.UUID] | None = None,
    kyc_status: str = "pending",
) -> Customer:
    if kind == "business":
        org = session.get(Organisation, org_id) if org_id else None
        if org is None or org.kind != "company":
            raise Unprocessable(
                "A business customer is a company organisation.", code="organisation_invalid"
            )
        if session.scalar(sa.select(Customer.id).where(Customer.org_id == org_id)):
            raise Unprocessable("That company is already a customer.", code="customer_exists")
    elif org_id is not None:
        raise Unprocessable(
            "An individual customer has no organisation.", code="organisation_invalid"
        )
    customer = Customer(kind=kind, display_name=display_name, org_id=org_id, kyc_status=kyc_status)
    session.add(customer)
    session.flush()
    for user_id in user_ids or []:
        link_user(session, customer, user_id)
    record(
        session,
        "customer.created",
        actor,
        target_type="customer",
        target_id=customer.id,
        after={
            "kind": kind,
            "display_name": display_name,
            "kyc_status": kyc_status,
            "org_id": org_id,
            "user_ids": user_ids or [],
        },
    )
    return customer


def link_user(session: Session, customer: Customer, user_id: uuid.UUID) -> None:
    user = session.get(User, user_id)
    if user is None:
        raise Unprocessable("No such user.", code="user_not_found")
    expected = {"individual": "individual", "business": "business"}[customer.kind]
    if user.kind != expected:
        raise Unprocessable(
            f"Only {expected} users act for a {customer.kind} customer.", code="user_kind_mismatch"
        )
    if session.get(CustomerUser, (customer.id, user_id)) is None:
        session.add(CustomerUser(customer_id=customer.id, user_id=user_id))
        session.flush()


def get_customer(session: Session, customer_id: uuid.UUID) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound("No such customer.", code="customer_not_found")
    return customer


def update_customer(
    session: Session,
    actor: Actor,
    customer_id: uuid.UUID,
    *,
    display_name: str | None = None,
    kyc_status: str | None = None,
    add_user_ids: list[uuid.UUID] | None = None,
) -> Customer:
    customer = get_customer(session, customer_id)
    before = {"display_name": customer.display_name, "kyc_status": customer.kyc_status}
    if display_name is not None:
        customer.display_name = display_name
    if kyc_status is not None:
        customer.kyc_status = kyc_status
    for user_id in add_user_ids or []:
        link_user(session, customer, user_id)
    session.flush()
    record(
        session,
        "customer.updated",
        actor,
        target_type="customer",
        target_id=customer.id,
        before=before,
        after={
            "display_name": customer.display_name,
            "kyc_status": customer.kyc_status,
            "added_users": add_user_ids or [],
        },
    )
    return customer


def user_ids_of(session: Session, customer_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        session.scalars(
            sa.select(CustomerUser.user_id).where(CustomerUser.customer_id == customer_id)
        )
    )
