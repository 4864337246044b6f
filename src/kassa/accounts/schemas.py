"""API shapes of accounts and transfers. Amounts are integers of minor units (cents)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field, StrictInt

from kassa.kit.schemas import Input, Output


class BalanceOut(Output):
    currency: str
    posted_minor: int = Field(description="Booked balance, minor units.")
    pending_out_minor: int = Field(description="Held for outgoing payments.")
    pending_in_minor: int = Field(description="Incoming, not yet booked.")
    overdraft_limit_minor: int
    available_minor: int = Field(description="posted - pending_out + overdraft_limit.")
    posted: str = Field(description="posted_minor as decimal text, e.g. '1234.50'.")
    available: str


class AccountOut(Output):
    id: uuid.UUID
    customer_id: uuid.UUID
    customer_name: str
    number: str | None = Field(None, description="Full number; only in the detail view.")
    number_masked: str
    product: Literal["current", "savings"]
    currency: str
    name: str
    status: Literal["open", "frozen", "closed"]
    opened_at: datetime
    closed_at: datetime | None
    balance: BalanceOut


class AccountOpenIn(Input):
    customer_id: uuid.UUID | None = Field(
        None, description="Staff: the customer. Customers: omit (their own)."
    )
    product: Literal["current", "savings"] = "current"
    currency: str = Field("USD", min_length=3, max_length=3)
    name: str | None = Field(None, max_length=100)
    overdraft_limit_minor: StrictInt = Field(0, ge=0, description="Staff only.")


class TransferIn(Input):
    from_account_id: uuid.UUID
    to_account_id: uuid.UUID | None = Field(None, description="One of your own accounts.")
    to_account_number: str | None = Field(
        None, max_length=20, description="Another customer's account number."
    )
    amount_minor: StrictInt = Field(description="Minor units (cents); a positive integer.")
    currency: str = Field(max_length=8)
    description: str = Field("", max_length=140)


class TransferOut(Output):
    id: uuid.UUID
    status: Literal["awaiting_confirmation", "completed", "cancelled"]
    from_account_id: uuid.UUID
    to_account_id: uuid.UUID
    amount_minor: int
    fee_minor: int
    currency: str
    description: str
    entry_id: uuid.UUID | None
    created_at: datetime
    completed_at: datetime | None
    challenge_method: Literal["sms", "totp"] | None = Field(
        None, description="Set when the transfer waits for a second-factor code."
    )
    replayed: bool = Field(False, description="True when this answers a retried request.")


class ConfirmIn(Input):
    code: str = Field(min_length=6, max_length=8)


class TransactionOut(Output):
    posting_id: int
    entry_id: uuid.UUID
    booked_at: datetime
    amount_minor: int = Field(description="+ money in, - money out.")
    amount: str
    currency: str
    description: str
    kind: str
    counterparty_name: str | None
    counterparty_number_masked: str | None
    transfer_id: uuid.UUID | None


class TransactionPage(Output):
    items: list[TransactionOut]
    next_cursor: str | None


class StatementLineOut(Output):
    booked_at: datetime
    description: str
    counterparty_name: str | None
    amount_minor: int
    balance_minor: int


class StatementOut(Output):
    account_id: uuid.UUID
    number: str
    currency: str
    start: datetime
    end: datetime
    opening_minor: int
    closing_minor: int
    total_in_minor: int
    total_out_minor: int
    lines: list[StatementLineOut]
