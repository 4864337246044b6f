"""API shapes of customers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from kassa.kit.schemas import Input, Output

Kyc = Literal["pending", "verified", "rejected"]


class CustomerIn(Input):
    kind: Literal["individual", "business"]
    display_name: str = Field(min_length=1, max_length=200)
    org_id: uuid.UUID | None = Field(None, description="The company organisation (business).")
    user_ids: list[uuid.UUID] = Field(
        default_factory=list, description="Users who may act for the customer."
    )
    kyc_status: Kyc = "pending"


class CustomerPatch(Input):
    display_name: str | None = Field(None, min_length=1, max_length=200)
    kyc_status: Kyc | None = None
    add_user_ids: list[uuid.UUID] = Field(default_factory=list)


class CustomerOut(Output):
    id: uuid.UUID
    kind: Literal["individual", "business"]
    display_name: str
    org_id: uuid.UUID | None
    kyc_status: Kyc
    created_at: datetime
    user_ids: list[uuid.UUID] = Field(default_factory=list)


class CustomerPage(Output):
    items: list[CustomerOut]
    next_cursor: str | None
