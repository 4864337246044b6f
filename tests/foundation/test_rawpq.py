"""``kassa.kit.rawpq`` against a real PostgreSQL: the statement is prepared once per
connection, its parameters arrive as the values they were sent as, a database error is
psycopg's own exception and leaves the connection usable, and rows come back as text."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import psycopg
import pytest
from psycopg import pq

from kassa.kit.pgarray import text_array
from kassa.kit.rawpq import BOOL_OID, RawConnection, RawStatement, numbered, text_param


def test_placeholders_are_numbered_in_order_and_a_doubled_percent_is_one() -> None:
    assert numbered("SELECT %s, %s::int, '100%%', %s") == "SELECT $1, $2::int, '100%', $3"
    assert numbered("SELECT 1") == "SELECT 1"
    assert numbered("%s%%s%s") == "$1%s$2"


def test_parameters_in_text_form() -> None:
    assert text_param(None) is None
    assert text_param(True) == b"t" and text_param(False) == b"f"
    assert text_param(-(2**63)) == b"-9223372036854775808"
    assert text_param("zürich") == "zürich".encode()
    # libpq would read a text parameter only up to its first NUL: refused, as psycopg does.
    with pytest.raises(psycopg.DataError):
        text_param('{"a\x00b"}')


async def _connect(url: str) -> RawConnection:
    conn = await psycopg.AsyncConnection.connect(url, autocommit=True, client_encoding="UTF8")
    return RawConnection(conn)


def _on_a_connection(url: str, check: Callable[[RawConnection], Awaitable[None]]) -> None:
    """Run ``check`` on a new connection, closed afterwards."""

    async def main() -> None:
        raw = await _connect(url)
        try:
            await check(raw)
        finally:
            await raw.conn.close()

    asyncio.run(main())


def _prepared_statements(raw: RawConnection) -> int:
    """How many statements the server holds prepared for this connection."""
    pgconn = raw.conn.pgconn
    result = pgconn.exec_(b"SELECT count(*) FROM pg_prepared_statements WHERE NOT from_sql")
    value = result.get_value(0, 0)
    assert value is not None
    return int(value)


def test_a_statement_runs_prepared_once_per_connection(pg_admin_url: str) -> None:
    statement = RawStatement(
        "rawpq_test_echo",
        "SELECT %s AS flag, x, %s::bigint + 1 FROM unnest(%s::text[]) AS t(x) ORDER BY x",
        [BOOL_OID, 0, 0],
    )
    texts = ['b,"quoted"', "a {braced}", "ünïcode", "NULL"]

    async def main() -> None:
        first, second = await _connect(pg_admin_url), await _connect(pg_admin_url)
        try:
            params = [text_param(v) for v in (False, 41, text_array(texts))]
            rows = await statement.rows(first, params)
            assert rows == [[b"f", text.encode(), b"42"] for text in sorted(texts, key=str.encode)]
            # Again on the same connection: not prepared a second time (the server would
            # refuse a second PREPARE of the same name).
            again = await statement.rows(first, [b"t", b"0", text_param(text_array([]))])
            assert again == []
            assert _prepared_statements(first) == 1
            # Another connection prepares it for itself.
            assert await statement.rows(second, [b"t", b"1", b"{x}"]) == [[b"t", b"x", b"2"]]
            assert _prepared_statements(second) == 1
        finally:
            await first.conn.close()
            await second.conn.close()

    asyncio.run(main())


def test_a_null_column_is_none_and_a_boolean_parameter_is_typed(pg_admin_url: str) -> None:
    statement = RawStatement(
        "rawpq_test_types", "SELECT pg_typeof(%s)::text, NULL::text", [BOOL_OID]
    )

    async def check(raw: RawConnection) -> None:
        assert await statement.rows(raw, [b"t"]) == [[b"boolean", None]]

    _on_a_connection(pg_admin_url, check)


def test_a_database_error_is_psycopgs_and_the_connection_stays_usable(pg_admin_url: str) -> None:
    statement = RawStatement("rawpq_test_divide", "SELECT 1 / %s::integer", [0])

    async def check(raw: RawConnection) -> None:
        with pytest.raises(psycopg.errors.DivisionByZero) as caught:
            await statement.rows(raw, [b"0"])
        assert caught.value.sqlstate == "22012"
        assert raw.conn.pgconn.transaction_status == pq.TransactionStatus.IDLE
        assert await statement.rows(raw, [b"4"]) == [[b"0"]]
        with pytest.raises(psycopg.errors.InvalidTextRepresentation):
            await statement.rows(raw, [b"not a number"])
        assert await statement.rows(raw, [b"1"]) == [[b"1"]]

    _on_a_connection(pg_admin_url, check)


def test_a_statement_that_does_not_parse_is_refused_and_not_marked_prepared(
    pg_admin_url: str,
) -> None:
    broken = RawStatement("rawpq_test_broken", "SELEC %s", [0])

    async def check(raw: RawConnection) -> None:
        for _ in range(2):  # tried again, it is refused again: never taken as prepared
            with pytest.raises(psycopg.errors.SyntaxError):
                await broken.rows(raw, [b"1"])
        assert raw.prepared == set()

    _on_a_connection(pg_admin_url, check)


def test_a_lost_connection_raises_psycopgs_operational_error(pg_admin_url: str) -> None:
    statement = RawStatement("rawpq_test_sleep", "SELECT pg_sleep(%s::float8)", [0])

    async def main() -> None:
        raw = await _connect(pg_admin_url)
        pid = raw.conn.pgconn.backend_pid
        try:
            with psycopg.connect(pg_admin_url, autocommit=True) as admin:
                running = asyncio.ensure_future(statement.rows(raw, [b"5"]))
                await asyncio.sleep(0.3)
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
                with pytest.raises(psycopg.OperationalError):
                    await running
            assert raw.conn.pgconn.status == pq.ConnStatus.BAD
        finally:
            raw.conn.pgconn.finish()

    asyncio.run(main())
