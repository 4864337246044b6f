"""API shapes of customer feedback."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import StringConstraints

from kassa.kit.schemas import Input, Output
from kassa.support.models import MAX_BODY

ThreadStatus = Literal["open", "answered", "closed"]
AuthorKind = Literal["customer", "staff"]
Body = Annotated[str, StringConstraints(min_length=1, max_length=MAX_BODY)]


class ThreadCreateIn(Input):
    subject: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    body: Body
    related_account_id: uuid.UUID | None = None
    related_transfer_id: uuid.UUID | None = None


class MessageIn(Input):
    body: Body


class ThreadPatchIn(Input):
    status: ThreadStatus


class MessageOut(Output):
    id: uuid.UUID
    author_user_id: uuid.UUID
    author_name: str
    author_kind: AuthorKind
    body: str
    created_at: datetime


class ThreadOut(Output):
    id: uuid.UUID
    customer_user_id: uuid.UUID
    customer_name: str
    customer_email: str
    subject: str
    status: ThreadStatus
    related_account_id: uuid.UUID | None
    related_transfer_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    message_count: int


class ThreadDetailOut(ThreadOut):
    messages: list[MessageOut]


class ThreadPage(Output):
    items: list[ThreadOut]
    next_cursor: str | None = None
