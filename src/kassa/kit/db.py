"""Engine, sessions and the declarative base.

The framework owns the transaction: one unit of work per request or job, committed or rolled
back in one place (``unit_of_work``). Services may flush, never commit.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import sqlalchemy as sa
from sqlalchemy import MetaData
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from kassa.config import Settings, get_settings
from kassa.kit.ids import uuid7

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


UUIDPK = Annotated[Any, mapped_column(sa.Uuid, primary_key=True, default=uuid7)]


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )


def to_sqlalchemy_url(url: str) -> str:
    """Use the psycopg 3 driver whatever form the URL came in."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def with_database(url: str, database: str) -> str:
    """The same server URL pointing at another database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def server_url(settings: Settings) -> str:
    """libpq URL of the server: the configured one, else the embedded cluster."""
    if settings.database_url:
        return settings.database_url
    from kassa.kit.embedded_pg import start_embedded

    return with_database(start_embedded(settings.data_dir), "postgres")


def ensure_database(url: str) -> None:
    """Create the database named in ``url`` when it does not exist yet."""
    name = urlsplit(url).path.lstrip("/")
    admin = with_database(url, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def database_url(settings: Settings | None = None) -> str:
    """libpq URL of Kassa's database (embedded unless KASSA_DATABASE_URL is set)."""
    settings = settings or get_settings()
    if settings.database_url:
        return settings.database_url
    url = with_database(server_url(settings), settings.database_name)
    ensure_database(url)
    return url


_lock = threading.Lock()
_engine: Engine | None = None
_session_factory: sessionmaker[Session] | None = None


def make_engine(url: str, settings: Settings | None = None, *, pre_ping: bool = True) -> Engine:
    """``pre_ping=False`` skips the liveness round trip on every pool checkout (benchmarks,
    short-lived workers); a dead connection then fails the unit of work instead."""
    settings = settings or get_settings()
    return sa.create_engine(
        to_sqlalchemy_url(url),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_pre_ping=pre_ping,
    )


def get_engine() -> Engine:
    global _engine, _session_factory
    with _lock:
        if _engine is None:
            _engine = make_engine(database_url())
            _session_factory = sessionmaker(bind=_engine, expire_on_commit=False)
        return _engine


def set_engine(engine: Engine) -> None:
    """Point the process at another engine (tests, benchmarks)."""
    global _engine, _session_factory
    with _lock:
        _engine = engine
        _session_factory = sessionmaker(bind=engine, expire_on_commit=False)


def engine_libpq_url() -> str:
    """The libpq URL of the process's engine: for code that talks to the same database with
    psycopg directly (``kassa.ledger.fastpath``)."""
    url = get_engine().url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def session_factory() -> sessionmaker[Session]:
    get_engine()
    assert _session_factory is not None
    return _session_factory


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One transaction: commit when the block succeeds, roll back when it raises."""
    session = session_factory()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def autocommit_cursor() -> Iterator[psycopg.Cursor[Any]]:
    """A psycopg cursor on a pooled connection in autocommit mode: each statement is its own
    transaction, committed by the server as it ends - one round trip, where a unit of work
    needs three (BEGIN, the statement, COMMIT). For work that is exactly one statement and
    writes nothing else (``kassa.ledger.service.post_entry_now``)."""
    pooled = get_engine().raw_connection()
    try:
        conn: psycopg.Connection[Any] = pooled.driver_connection  # type: ignore[assignment]
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                yield cursor
        finally:
            conn.autocommit = False  # the pool and SQLAlchemy expect transactional connections
    finally:
        pooled.close()
