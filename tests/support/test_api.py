"""Customer feedback through the HTTP API, and the monitoring transactions series."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from kassa.kit.db import unit_of_work
from tests.helpers import Login, login


def problem(r: Any, status: int, code: str) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == code, r.json()


def new_thread(user: Login, subject: str = "Statement question", body: str = "Hi") -> Any:
    r = user.post("/api/v1/support/threads", json={"subject": subject, "body": body})
    assert r.status_code == 201, r.text
    return r.json()


def mail_jobs() -> list[dict[str, Any]]:
    with unit_of_work() as s:
        rows = s.execute(
            sa.text("SELECT args FROM procrastinate_jobs WHERE task_name = 'mail.send'")
        ).all()
    return [dict(r[0]) for r in rows]


def audit_actions(target_id: str) -> list[str]:
    with unit_of_work() as s:
        return list(
            s.scalars(
                sa.text("SELECT action FROM audit_log WHERE target_id = :t ORDER BY id"),
                {"t": target_id},
            )
        )


def test_create_and_list_is_isolated_between_customers(app_client: TestClient) -> None:
    ben = login(app_client, "ben@example.com")
    owner = login(app_client, "owner@northwind.example")
    created = new_thread(ben, "Fees on my account", "Why was I charged?")
    assert created["status"] == "open" and created["customer_name"] == "Ben Ortiz"
    assert [m["author_kind"] for m in created["messages"]] == ["customer"]
    new_thread(owner, "Invoice export")
    mine = ben.get("/api/v1/support/threads").json()["items"]
    assert [t["subject"] for t in mine] == ["Fees on my account"]
    theirs = owner.get("/api/v1/support/threads").json()["items"]
    assert [t["subject"] for t in theirs] == ["Invoice export"]
    problem(owner.get(f"/api/v1/support/threads/{created['id']}"), 404, "thread_not_found")
    problem(
        owner.post(f"/api/v1/support/threads/{created['id']}/messages", json={"body": "x"}),
        404,
        "thread_not_found",
    )
    # Staff see everyone's, the demo thread included; filters and cursor pages work.
    admin = login(app_client, "admin@kassa.example")
    every = admin.get("/api/v1/support/threads").json()["items"]
    assert len(every) == 3
    assert [
        t["subject"] for t in admin.get("/api/v1/support/threads?q=why%20was").json()["items"]
    ] == ["Fees on my account"]
    answered = admin.get("/api/v1/support/threads?status=answered").json()["items"]
    assert [t["subject"] for t in answered] == ["Card payment shown twice"]
    page1 = admin.get("/api/v1/support/threads?limit=2").json()
    assert len(page1["items"]) == 2 and page1["next_cursor"]
    page2 = admin.get(f"/api/v1/support/threads?limit=2&cursor={page1['next_cursor']}").json()
    assert len(page2["items"]) == 1 and page2["next_cursor"] is None
    ids = {t["id"] for t in page1["items"] + page2["items"]}
    assert ids == {t["id"] for t in every}
    assert audit_actions(created["id"]) == ["support.thread_created"]


def test_staff_answer_queues_mail_and_customer_reply_reopens(app_client: TestClient) -> None:
    ben = login(app_client, "ben@example.com")
    operator = login(app_client, "operator@kassa.example")
    thread = new_thread(ben)
    before = len(mail_jobs())
    r = operator.post(
        f"/api/v1/support/threads/{thread['id']}/messages", json={"body": "Here you go."}
    )
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "answered"
    assert [m["author_kind"] for m in r.json()["messages"]] == ["customer", "staff"]
    jobs = mail_jobs()
    assert len(jobs) == before + 1
    assert jobs[-1]["to"] == "ben@example.com" and "Here you go." in jobs[-1]["text"]
    r = ben.post(f"/api/v1/support/threads/{thread['id']}/messages", json={"body": "Thanks!"})
    assert r.status_code == 201 and r.json()["status"] == "open"
    assert len(mail_jobs()) == before + 1
    assert audit_actions(thread["id"]) == [
        "support.thread_created",
        "support.message_added",
        "support.message_added",
    ]


def test_closed_thread_refuses_messages(app_client: TestClient) -> None:
    ben = login(app_client, "ben@example.com")
    admin = login(app_client, "admin@kassa.example")
    thread = new_thread(ben)
    url = f"/api/v1/support/threads/{thread['id']}"
    problem(ben.patch(url, json={"status": "closed"}), 403, "staff_only")
    r = admin.patch(url, json={"status": "closed"})
    assert r.status_code == 200 and r.json()["status"] == "closed", r.text
    problem(ben.post(url + "/messages", json={"body": "again"}), 409, "thread_closed")
    problem(admin.post(url + "/messages", json={"body": "again"}), 409, "thread_closed")
    assert audit_actions(thread["id"])[-1] == "support.status_changed"


def test_bad_input_and_unknown_thread(app_client: TestClient) -> None:
    ben = login(app_client, "ben@example.com")
    auditor = login(app_client, "auditor@kassa.example")
    cases: list[dict[str, Any]] = [
        {"subject": "", "body": "x"},
        {"subject": "x", "body": "y" * 4001},
        {"subject": "x"},
        {"subject": "x", "body": "y", "extra": 1},
        {"subject": "x", "body": "   "},
    ]
    for body in cases:
        problem(ben.post("/api/v1/support/threads", json=body), 422, "validation_error")
    thread = new_thread(ben)
    admin = login(app_client, "admin@kassa.example")
    problem(
        admin.patch(f"/api/v1/support/threads/{thread['id']}", json={"status": "done"}),
        422,
        "validation_error",
    )
    problem(ben.get("/api/v1/support/threads?status=nope"), 422, "validation_error")
    problem(ben.get(f"/api/v1/support/threads/{uuid.uuid4()}"), 404, "thread_not_found")
    problem(ben.get("/api/v1/support/threads/not-a-uuid"), 422, "validation_error")
    problem(
        ben.post(
            "/api/v1/support/threads",
            json={"subject": "x", "body": "y", "related_account_id": str(uuid.uuid4())},
        ),
        422,
        "account_not_found",
    )
    problem(
        admin.post("/api/v1/support/threads", json={"subject": "x", "body": "y"}),
        403,
        "customer_only",
    )
    problem(auditor.get("/api/v1/support/threads"), 403, "section_denied")


def test_monitoring_transactions(app_client: TestClient) -> None:
    admin = login(app_client, "admin@kassa.example")
    r = admin.get("/api/v1/monitoring/transactions?period=day")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["period"] == "day"
    items = body["items"]
    assert items and all(i["currency"] == "USD" and i["count"] > 0 for i in items)
    assert {i["status"] for i in items} <= {"booked", "completed", "awaiting_confirmation"}
    ben = login(app_client, "ben@example.com")
    (src,) = list(ben.get("/api/v1/accounts").json())
    dst = ben.post("/api/v1/accounts", json={"product": "savings", "currency": "USD"}).json()
    t = ben.post(
        "/api/v1/transfers",
        json={
            "from_account_id": src["id"],
            "to_account_id": dst["id"],
            "amount_minor": 1_234,
            "currency": "USD",
        },
        headers={"Idempotency-Key": "mon-1"},
    )
    assert t.status_code == 201, t.text
    hourly = admin.get("/api/v1/monitoring/transactions?period=hour").json()["items"]
    completed = [i for i in hourly if i["status"] == "completed"]
    assert sum(i["count"] for i in completed) == 1
    assert sum(i["amount_minor"] for i in completed) == 1_234
    problem(
        admin.get("/api/v1/monitoring/transactions?period=hour&since=2020-01-01T00:00:00Z"),
        422,
        "since_too_early",
    )
    problem(admin.get("/api/v1/monitoring/transactions?period=week"), 422, "validation_error")
    problem(ben.get("/api/v1/monitoring/transactions"), 403, "section_denied")
