"""One prepared statement run on a psycopg connection's libpq handle, on the event loop.

psycopg's ``AsyncConnection.execute`` adapts each parameter through its dumpers, keeps its
own count of executions before it prepares, drives the query as a generator through its
waiting loop and builds a cursor and its rows. For the HTTP fast path's one statement per
group of transfers that was 13% of a server worker's busy samples (py-spy). This does the
same protocol steps directly on libpq (``psycopg.pq``, psycopg's documented low-level
wrapper): prepare the statement once per connection, send the parameters as text, wait on
the socket, read the one result. In six alternating pairs of runs of bench/ledger.py's HTTP
load, the server's CPU per request was 0.05-0.10 ms lower in five and equal in one
(docs/ledger-speed-log.md).

Only for a statement whose parameters are already text (array literals, numbers) and whose
caller reads the result's text itself; anything else is simpler through psycopg.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import pq

BOOL_OID = 16  # pg_type's oid of boolean, for a parameter the statement leaves untyped

Params = Sequence[bytes | None]


def text_param(value: object) -> bytes | None:
    """A parameter's text form as PostgreSQL reads it (booleans as t and f). libpq reads a
    text parameter up to its first NUL byte, so a text with one is refused here, with the
    error psycopg gives for it, rather than sent cut short."""
    if value is None:
        return None
    if isinstance(value, bool):
        return b"t" if value else b"f"
    text = str(value).encode()
    if b"\x00" in text:
        raise psycopg.DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
    return text


def numbered(sql: str) -> str:
    """psycopg's ``%s`` placeholders as the protocol's ``$1``, ``$2``, ... (``%%`` is ``%``)."""
    count = itertools.count(1)
    return re.sub(r"%[%s]", lambda m: "%" if m.group() == "%%" else f"${next(count)}", sql)


@dataclass(eq=False)
class RawConnection:
    """A psycopg connection and the names of the statements this module prepared on it."""

    conn: psycopg.AsyncConnection[Any]
    prepared: set[bytes] = field(default_factory=set)


class RawStatement:
    """A statement prepared under ``name`` on each connection the first time it runs there."""

    def __init__(self, name: str, sql: str, param_types: Sequence[int]) -> None:
        self.name = name.encode()
        self.sql = numbered(sql).encode()
        self.param_types = list(param_types)

    async def rows(self, raw: RawConnection, params: Params) -> list[list[bytes | None]]:
        """Run it and return its rows as the text of each column (None for NULL). A database
        error raises psycopg's exception for it, and the connection is usable again. Any
        other exception (a lost connection, a cancelled wait) leaves the connection in an
        unknown state: the caller must close it."""
        pgconn = raw.conn.pgconn
        if self.name not in raw.prepared:
            pgconn.send_prepare(self.name, self.sql, param_types=self.param_types)
            await _wait_result(pgconn, "prepare")
            raw.prepared.add(self.name)
        pgconn.send_query_prepared(self.name, params)
        result = await _wait_result(pgconn, "query")
        return [
            [result.get_value(row, col) for col in range(result.nfields)]
            for row in range(result.ntuples)
        ]


async def _wait_result(pgconn: pq.abc.PGconn, what: str) -> pq.abc.PGresult:
    """The one result of the command just sent, after the connection is idle again."""
    loop = asyncio.get_running_loop()
    fd = pgconn.socket
    while pgconn.flush():
        await _ready(loop, fd, writing=True)
    while True:
        pgconn.consume_input()
        if not pgconn.is_busy():
            break
        await _ready(loop, fd, writing=False)
    result = None
    error = None
    while (next_result := pgconn.get_result()) is not None:
        if next_result.status == pq.ExecStatus.FATAL_ERROR and error is None:
            error = psycopg.errors.error_from_result(next_result, encoding="utf-8")
        if result is None:
            result = next_result
    if error is not None:
        raise error
    if result is None or result.status not in (
        pq.ExecStatus.TUPLES_OK,
        pq.ExecStatus.COMMAND_OK,
    ):
        raise psycopg.InterfaceError(f"unexpected answer to a {what}: {result and result.status}")
    return result


async def _ready(loop: asyncio.AbstractEventLoop, fd: int, *, writing: bool) -> None:
    ready: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    add, remove = (
        (loop.add_writer, loop.remove_writer) if writing else (loop.add_reader, loop.remove_reader)
    )
    add(fd, wake)
    try:
        await ready
    finally:
        remove(fd)
