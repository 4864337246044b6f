"""The array literals of ``kassa.kit.pgarray`` read back, in PostgreSQL, as the values they
were built from: the same as psycopg's own adaptation of the list would give."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kassa.kit.pgarray import plain_array, text_array, time_array


@pytest.fixture(scope="module")
def conn(pg_admin_url: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(pg_admin_url, autocommit=True) as connection:
        connection.execute("SET TIME ZONE 'America/New_York'")  # not UTC: naive times show it
        yield connection


def _read(conn: psycopg.Connection[Any], literal: str, type_: str) -> list[Any]:
    row = conn.execute(f"SELECT %s::{type_}[]", (literal,)).fetchone()
    assert row is not None
    return list(row[0])


TRICKY = [
    "",
    "NULL",
    "null",
    '"',
    "\\",
    '\\"',
    "a,b",
    "{x}",
    " padded ",
    "two\nlines\ttab",
    "ключ-€-✓",
    '{"k": "v\\n"}',
    None,
]


def test_text_keeps_every_character_and_null(conn: psycopg.Connection[Any]) -> None:
    assert _read(conn, text_array(TRICKY), "text") == TRICKY


def test_text_as_psycopg_adapts_it(conn: psycopg.Connection[Any]) -> None:
    row = conn.execute("SELECT %s::text[] = %s::text[]", (text_array(TRICKY), TRICKY)).fetchone()
    assert row == (True,)


# Any text PostgreSQL can store: UTF-8, so no lone surrogates, and no NUL.
_STORABLE = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.none() | _STORABLE, max_size=8))
def test_any_text_reads_back(conn: psycopg.Connection[Any], values: list[str | None]) -> None:
    assert _read(conn, text_array(values), "text") == values


def test_empty_arrays(conn: psycopg.Connection[Any]) -> None:
    assert _read(conn, text_array([]), "text") == []
    assert _read(conn, plain_array([]), "uuid") == []
    assert _read(conn, time_array([]), "timestamptz") == []


def test_uuids_and_integers(conn: psycopg.Connection[Any]) -> None:
    ids = [uuid.uuid4(), None, uuid.uuid4()]
    assert _read(conn, plain_array(ids), "uuid") == ids
    numbers = [0, -1, 9223372036854775807, -9223372036854775808, None]
    assert _read(conn, plain_array(numbers), "bigint") == numbers


def test_times_keep_their_instant(conn: psycopg.Connection[Any]) -> None:
    aware = [
        datetime(2026, 11, 30, 3, 44, 45, 412523, tzinfo=UTC),
        datetime(2026, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        None,
    ]
    assert _read(conn, time_array(aware), "timestamptz") == aware


def test_a_naive_time_is_read_as_psycopg_reads_it(conn: psycopg.Connection[Any]) -> None:
    """In the session's time zone: 12:00 in New York is 17:00 UTC on that day."""
    naive = [datetime(2026, 1, 15, 12, 0)]
    got = _read(conn, time_array(naive), "timestamptz")
    row = conn.execute("SELECT %s::timestamptz[]", (naive,)).fetchone()
    assert row is not None and got == list(row[0])
    assert got[0] == datetime(2026, 1, 15, 17, 0, tzinfo=UTC)
