"""Test fixtures: a real PostgreSQL, one fresh database per test, a real SMTP server.

The schema is built once by migrating a template database; each test that touches the
database gets its own copy of it (CREATE DATABASE ... TEMPLATE, ~60 ms), so tests commit for
real, run the real job worker, and never see each other's data.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("KASSA_DATA_DIR", str(ROOT / "var" / "test"))
os.environ["KASSA_COOKIE_SECURE"] = "false"
os.environ["KASSA_LOG_JSON"] = "false"
os.environ["KASSA_SECRET_KEY"] = "test-signing-key-not-secret-" + "x" * 20
os.environ["KASSA_DB_POOL_SIZE"] = "5"
os.environ["KASSA_DB_MAX_OVERFLOW"] = "60"

from kassa.config import get_settings, reset_settings_cache  # noqa: E402
from kassa.kit import db as kit_db  # noqa: E402
from kassa.kit.db import server_url, with_database  # noqa: E402
from tests.helpers import free_port  # noqa: E402

# Per-process names: several test runs may share one PostgreSQL server at the same time.
TEMPLATE = f"kassa_tpl_{os.getpid()}"
_counter = itertools.count()


def _admin_url() -> str:
    external = os.environ.get("KASSA_TEST_DATABASE_URL")
    if external:
        return with_database(external, "postgres")
    return server_url(get_settings())


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    return _admin_url()


@pytest.fixture(scope="session")
def template_db(pg_admin_url: str) -> Iterator[str]:
    """Migrate a template database once per run (the schema comes from Alembic only)."""
    from kassa.kit.migrate import upgrade

    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        _drop_stale_test_databases(conn)
        conn.execute(f'CREATE DATABASE "{TEMPLATE}"')
    url = with_database(pg_admin_url, TEMPLATE)
    upgrade(url)
    yield url
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)')


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _drop_stale_test_databases(conn: psycopg.Connection[Any]) -> None:
    """Drop databases left by test runs whose process is gone (a killed run leaves them)."""
    rows = conn.execute(
        "SELECT datname FROM pg_database WHERE datname LIKE 'kassa\\_tpl\\_%%' "
        "OR datname LIKE 'kassa\\_t\\_%%'"
    ).fetchall()
    for (name,) in rows:
        pid = name.split("_")[2]
        if pid.isdigit() and not _alive(int(pid)):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def db_url(pg_admin_url: str, template_db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh database for this test; the whole process points at it."""
    name = f"kassa_t_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    url = with_database(pg_admin_url, name)
    monkeypatch.setenv("KASSA_DATABASE_URL", url)
    reset_settings_cache()
    from kassa.identity.ratelimit import reset_limits
    from kassa.kit.jobs import reset_job_app

    reset_limits()
    reset_job_app()
    engine = kit_db.make_engine(url)
    kit_db.set_engine(engine)
    try:
        yield url
    finally:
        engine.dispose()
        kit_db._engine = None
        reset_job_app()
        with psycopg.connect(pg_admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        reset_settings_cache()


@pytest.fixture
def raw_db(db_url: str) -> Iterator[psycopg.Connection[Any]]:
    """A plain psycopg connection to the test database, for raw-SQL checks."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        yield conn


@dataclass
class Mailbox:
    port: int
    messages: list[Message] = field(default_factory=list)

    def last_to(self, address: str) -> Message:
        for message in reversed(self.messages):
            if address.lower() in str(message["To"]).lower():
                return message
        raise AssertionError(f"no mail to {address}; got {[m['To'] for m in self.messages]}")


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) on loopback; Kassa is configured to send to it."""
    from aiosmtpd.controller import Controller

    box = Mailbox(port=free_port())

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            box.messages.append(message_from_bytes(envelope.original_content or envelope.content))
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=box.port)
    controller.start()
    monkeypatch.setenv("KASSA_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("KASSA_SMTP_PORT", str(box.port))
    reset_settings_cache()
    try:
        yield box
    finally:
        controller.stop()
