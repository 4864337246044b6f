"""HTTP routes of customers: staff manage them; a user sees the customers they act for."""

from __future__ import annotations

import uuid
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, status

from kassa.customers import service as svc
from kassa.customers.models import Customer
from kassa.customers.schemas import CustomerIn, CustomerOut, CustomerPage, CustomerPatch
from kassa.identity.deps import require
from kassa.identity.principal import Principal
from kassa.identity.sections import Level, Section
from kassa.kit.deps import DbSession
from kassa.kit.errors import PROBLEM_RESPONSES, Forbidden, NotFound

router = APIRouter(prefix="/api/v1/customers", tags=["customers"], responses=PROBLEM_RESPONSES)

Reader = Annotated[Principal, Depends(require(Section.ACCOUNTS, Level.READ))]
Writer = Annotated[Principal, Depends(require(Section.ACCOUNTS, Level.WRITE))]


def _out(session: DbSession, customer: Customer) -> CustomerOut:
    out = CustomerOut.model_validate(customer)
    out.user_ids = svc.user_ids_of(session, customer.id)
    return out


def _staff(principal: Principal) -> None:
    if not principal.is_staff:
        raise Forbidden("Only bank staff may do this.", code="staff_only")


@router.get(
    "",
    response_model=CustomerPage,
    summary="Customers: all (staff) or the ones you act for; cursor pagination",
)
def list_customers(
    principal: Reader,
    session: DbSession,
    q: Annotated[str | None, Query(max_length=100)] = None,
    cursor: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CustomerPage:
    query = sa.select(Customer).order_by(Customer.id).limit(limit + 1)
    if not principal.is_staff:
        query = query.where(Customer.id.in_(svc.customer_ids_for(session, principal)))
    if q:
        query = query.where(Customer.display_name.ilike(f"%{q}%"))
    if cursor:
        query = query.where(Customer.id > cursor)
    rows = list(session.scalars(query))
    items = [_out(session, c) for c in rows[:limit]]
    return CustomerPage(
        items=items, next_cursor=str(rows[limit - 1].id) if len(rows) > limit else None
    )


@router.post(
    "",
    response_model=CustomerOut,
    status_code=status.HTTP_201_CREATED,
    summary="Create a customer and link the users who act for it (staff)",
)
def create_customer(body: CustomerIn, principal: Writer, session: DbSession) -> CustomerOut:
    _staff(principal)
    customer = svc.create_customer(
        session,
        principal.actor,
        kind=body.kind,
        display_name=body.display_name,
        org_id=body.org_id,
        user_ids=body.user_ids,
        kyc_status=body.kyc_status,
    )
    return _out(session, customer)


@router.get("/{customer_id}", response_model=CustomerOut, summary="One customer")
def get_customer(customer_id: uuid.UUID, principal: Reader, session: DbSession) -> CustomerOut:
    if not svc.may_act_for(session, principal, customer_id):
        raise NotFound("No such customer.", code="customer_not_found")
    return _out(session, svc.get_customer(session, customer_id))


@router.patch(
    "/{customer_id}",
    response_model=CustomerOut,
    summary="Change name or KYC status, link more users (staff)",
)
def update_customer(
    customer_id: uuid.UUID, body: CustomerPatch, principal: Writer, session: DbSession
) -> CustomerOut:
    _staff(principal)
    customer = svc.update_customer(
        session,
        principal.actor,
        customer_id,
        display_name=body.display_name,
        kyc_status=body.kyc_status,
        add_user_ids=body.add_user_ids,
    )
    return _out(session, customer)
