"""Demo data: a feedback thread from Anna with the bank's answer."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kassa.audit.service import SYSTEM, record
from kassa.demo_hooks import register_demo_hook
from kassa.identity.models import User
from kassa.kit.clock import utcnow
from kassa.support.models import SupportMessage, SupportThread


@register_demo_hook
def seed_support(session: Session) -> None:
    users = {u.email: u for u in session.scalars(sa.select(User))}
    anna, staff = users["anna@example.com"], users["operator@kassa.example"]
    asked = utcnow() - timedelta(days=2)
    answered = asked + timedelta(hours=3)
    thread = SupportThread(
        customer_user_id=anna.id,
        org_id=anna.org_id,
        subject="Card payment shown twice",
        status="answered",
        created_at=asked,
        updated_at=answered,
    )
    session.add(thread)
    session.flush()
    session.add_all(
        [
            SupportMessage(
                thread_id=thread.id,
                author_user_id=anna.id,
                author_kind="customer",
                body="A card payment at Corner Cafe appears twice in my Everyday account. "
                "Could you check it?",
                created_at=asked,
            ),
            SupportMessage(
                thread_id=thread.id,
                author_user_id=staff.id,
                author_kind="staff",
                body="Thank you, Anna. The second line was a pending authorisation; it "
                "disappears within two banking days and you are charged once.",
                created_at=answered,
            ),
        ]
    )
    session.flush()
    record(
        session,
        "support.thread_created",
        SYSTEM,
        target_type="support_thread",
        target_id=thread.id,
        after={"status": thread.status, "subject": thread.subject},
        details={"demo": True},
    )
