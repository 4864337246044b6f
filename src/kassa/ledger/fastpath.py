"""The fast path of ``POST /api/v1/ledger/transfers``: single transfers, group-committed.

Through the framework, one transfer cost about 5 ms of Python per request (routing,
dependency injection, thread-pool hops, the ORM, a transaction of four round trips), ten
times what the database spends on it. This ASGI middleware answers the common form of the
request on the event loop instead, with the same rules and the same answers:

* It takes only a request with a bearer access token (not an API key), a JSON body and an
  Idempotency-Key. It reads the token and the body with the route's own code
  (``read_access_token``, ``TransferIn``, ``to_money``, ``validate``).
* The transfers waiting at the same moment are posted in one statement and one commit,
  ``ledger_post_group_audited`` (migrations 0010, 0013): each is checked and answered on its own,
  and each posted one gets its ``ledger.transfer`` audit record in that transaction.
* The caller's principal is decided, as on every route, from its rows of
  ``token_principals_query`` (session, user, grants), read in the same statement that posts:
  the statement runs that query for the group's sessions and posts nothing unless each
  session's rows are still those its principal was decided from (compared by a fingerprint,
  an md5 of the rows the database computes). A session seen for the first time, or whose
  rows changed, is read in one query for the requests waiting at that moment. So a
  signed-out session, a disabled user or a changed grant is seen by the next request, as
  on the route, and a request whose rows changed after they were read goes to the route.

Whatever it does not take - another way to sign in, a bad token or body, a session or user
that is not valid, a caller without the right, a missing key, a database failure - goes to
the route itself, with the body it has read. So every refusal, and its audit record (a
denied access, say), is the route's own; this path only ever answers 201, or the ledger's
refusal of a transfer it posted nothing for.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import random
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from prometheus_client import Counter, Histogram
from psycopg import pq
from pydantic import ValidationError
from sqlalchemy.dialects.postgresql import psycopg as pg_dialect
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kassa.audit.models import CHAIN_COUNT
from kassa.audit.service import AuditParts, append_arrays, prepare
from kassa.identity.deps import API_KEY_PREFIX, principal_and_expiry, token_principals_query
from kassa.identity.principal import Principal
from kassa.identity.tokens import AccessClaims, read_access_token
from kassa.kit.asyncgroup import AsyncGroupCommit
from kassa.kit.bounded import keep_newest
from kassa.kit.clock import utcnow
from kassa.kit.db import engine_libpq_url
from kassa.kit.errors import ProblemError, error_response, internal_error_response
from kassa.kit.ids import uuid7
from kassa.kit.pgarray import plain_array, text_array
from kassa.kit.rawpq import BOOL_OID, RawConnection, RawStatement, text_param
from kassa.ledger import errors as E
from kassa.ledger import service as L
from kassa.ledger.api import (
    TRANSFER_AUDIT,
    EntryOut,
    TransferIn,
    idempotency_key_of,
    may_post,
    transfer_audit,
    transfer_spec,
)

PATH = "/api/v1/ledger/transfers"
APPLICATION_NAME = "kassa-fast-transfers"  # its connections, as pg_stat_activity names them
_log = logging.getLogger(__name__)

ANSWERS = Counter(
    "kassa_ledger_fast_transfers_total",
    "Transfer requests that reached the fast path, by what became of them"
    " (route, stale: passed on to the route)",
    ["outcome"],
)
# Each outcome's child, made once: a lookup by label takes a lock on every request. Made
# up front, every outcome is in /metrics from the start, at 0.
_ANSWERED = {
    outcome: ANSWERS.labels(outcome)
    for outcome in ("posted", "replayed", "refused", "failed", "route", "stale")
}
GROUP_SIZES = Histogram(
    "kassa_ledger_fast_transfer_group_size",
    "Transfers posted by one statement of the fast path",
    buckets=(1, 2, 4, 8, 16, 32, 64),
)


@dataclass(frozen=True, slots=True)
class _RouteLabel:
    """What the access log and metrics read from ``scope["route"]``: the route's template."""

    path: str


@dataclass(frozen=True, slots=True)
class _Known:
    """A session's principal as decided from its rows, and the fingerprint of those rows."""

    user_id: uuid.UUID
    principal: Principal
    fingerprint: str
    expires_at: datetime | None

    def valid_for(self, claims: AccessClaims) -> bool:
        # The rows say nothing of time: a session's expiry is checked on every use.
        return self.user_id == claims.user_id and (
            self.expires_at is None or self.expires_at > utcnow()
        )


@dataclass(slots=True)
class _Post:
    spec: L.EntrySpec
    entry_id: uuid.UUID
    audit: AuditParts
    session_id: uuid.UUID
    fingerprint: str


class _Stale(Exception):
    """The rows of a session in the group changed after its principal was decided: nothing
    of the group was posted."""


# Principals kept per worker: one per session that sent a transfer lately, oldest dropped.
_KNOWN_MAX = 10_000


class _Connections:
    """The fast path's own psycopg connections (autocommit: a statement is a transaction),
    on the event loop; a broken one is dropped, the next ``get`` opens a new one. Not
    psycopg_pool: its pool runs tasks on the loop that opened it, and a test client may
    serve requests from a new loop each time (``FastTransfers.state``)."""

    def __init__(self, keep: int) -> None:
        self._keep = keep
        self._idle: list[RawConnection] = []
        self._url: str | None = None

    async def get(self) -> RawConnection:
        if self._idle:
            return self._idle.pop()
        if self._url is None:
            # The same database as the rest of the process; the first call may start the
            # embedded server, so it runs off the loop.
            self._url = await asyncio.to_thread(engine_libpq_url)
        conn = await psycopg.AsyncConnection.connect(
            self._url,
            autocommit=True,
            application_name=APPLICATION_NAME,
            # The post statement's parameters are sent as UTF-8 (kassa.kit.rawpq).
            client_encoding="UTF8",
        )
        return RawConnection(conn)

    def put(self, raw: RawConnection) -> None:
        conn = raw.conn
        if (
            conn.broken
            or conn.pgconn.status != pq.ConnStatus.OK
            or conn.pgconn.transaction_status != pq.TransactionStatus.IDLE
            or len(self._idle) >= self._keep
        ):
            conn.pgconn.finish()
        else:
            self._idle.append(raw)

    def close(self) -> None:
        while self._idle:
            self._idle.pop().conn.pgconn.finish()


class _LoopState:
    """Connections and groups of one event loop (each server worker has its own)."""

    def __init__(self, gather_s: float) -> None:  # not money: seconds
        self.connections = _Connections(keep=4)
        self.known: dict[uuid.UUID, _Known] = {}
        self.principals: AsyncGroupCommit[AccessClaims, _Known] = AsyncGroupCommit(
            self._read_principals, max_group=64, max_running=2
        )
        # One group at a time per worker: the transfers that arrive meanwhile wait and go
        # together next. Most of a group's cost in the database is per statement, so fewer,
        # larger groups served more transfers per second than two groups in flight (5 of 5
        # alternating runs of bench/ledger.py's HTTP load). A lone transfer still goes at once;
        # under load a group waits up to ``gather_s`` for the callers of the last one, who
        # come back one by one (groups of 1.3-2.2 became 3.1-4.2 in bench/ledger.py's load).
        self.posts: AsyncGroupCommit[_Post, L.PostResult] = AsyncGroupCommit(
            self._post,
            max_group=64,
            max_running=1,
            key=lambda post: post.spec.key,
            gather_s=gather_s,
        )

    async def principal(self, claims: AccessClaims) -> _Known:
        """The caller's principal: the one decided from its session's rows when they were
        last read, else read now (ProblemError: the route's refusal of the session)."""
        known = self.known.get(claims.session_id)
        if known is not None and known.valid_for(claims):
            return known
        return await self.principals.submit(claims)

    async def _read_principals(self, claims: list[AccessClaims]) -> list[_Known | BaseException]:
        statements = _statements()
        session_ids = list({c.session_id for c in claims})
        rows = await self._fetch(statements.read, statements.principal_params(session_ids))
        principal_rows = [row[:-1] for row in rows]
        fingerprints = {row[0]: row[-1] for row in rows}
        outcomes: list[_Known | BaseException] = []
        for claim in claims:
            try:
                principal, expires_at = principal_and_expiry(claim, principal_rows, "bearer")
            except ProblemError as exc:
                self.known.pop(claim.session_id, None)
                outcomes.append(exc)
                continue
            known = _Known(claim.user_id, principal, fingerprints[claim.session_id], expires_at)
            keep_newest(self.known, claim.session_id, known, _KNOWN_MAX)
            outcomes.append(known)
        return outcomes

    async def _post(self, posts: list[_Post]) -> list[L.PostResult | BaseException]:
        GROUP_SIZES.observe(len(posts))
        statements = _statements()
        # Every post's own session and fingerprint are checked: two posts of one session may
        # have been decided from different reads of its rows.
        sessions = [p.session_id for p in posts]
        params = (
            *statements.principal_params(list(set(sessions))),
            random.randrange(CHAIN_COUNT),
            plain_array(sessions),
            text_array(p.fingerprint for p in posts),
            *L.group_params([p.spec for p in posts], [p.entry_id for p in posts]),
            *append_arrays([p.audit for p in posts]),
        )
        rows = await self._post_rows(statements.post, [text_param(value) for value in params])
        if not rows:
            # Some session's rows changed: its principal must be decided again, so the whole
            # group (nothing of it posted) goes to the route, which reads them fresh.
            for session_id in sessions:
                self.known.pop(session_id, None)
            return [_Stale() for _ in posts]
        return [_outcome(*row) for row in rows]

    async def _fetch(self, sql: str, params: Any) -> list[Any]:
        raw = await self.connections.get()
        try:
            cursor = await raw.conn.execute(sql, params)
            return await cursor.fetchall()
        finally:
            self.connections.put(raw)

    async def _post_rows(
        self, statement: RawStatement, params: list[bytes | None]
    ) -> list[list[bytes | None]]:
        raw = await self.connections.get()
        try:
            rows = await statement.rows(raw, params)
        except BaseException:
            # Refusals come back as rows, so an error is rare: a lost connection, a cancelled
            # wait (the connection's state unknown), or a statement the server no longer
            # holds as prepared (a deallocated one, or one whose result type a migration
            # changed). The next group gets a new connection and prepares it afresh.
            raw.conn.pgconn.finish()
            raise
        self.connections.put(raw)
        return rows


def _outcome(
    status: bytes | None, ref: bytes | None, info: bytes | None
) -> L.PostResult | E.LedgerError:
    """``ledger_post_group_audited``'s row for one transfer (its columns' text): its result,
    or its refusal."""
    assert status is not None
    return L.post_outcome(
        status.decode(),
        None if ref is None else uuid.UUID(ref.decode()),
        None if info is None else info.decode(),
    )


@dataclass(frozen=True, slots=True)
class _Statements:
    read: str
    post: RawStatement
    fixed: tuple[Any, ...]  # the principals query's parameters, "session_ids" as None
    at: int  # where "session_ids" is among them

    def principal_params(self, session_ids: list[uuid.UUID]) -> tuple[Any, ...]:
        # The query casts it (``= ANY(%s::UUID[])``), so a literal serves as the list would.
        return (*self.fixed[: self.at], plain_array(session_ids), *self.fixed[self.at + 1 :])


@functools.cache
def _statements() -> _Statements:
    """The fast path's two statements, both built on ``token_principals_query`` (the route's
    own query for a session's principal), so what is checked is what the route reads.

    ``fingerprints`` is an md5 per session of its rows of that query, sorted by their text.
    ``read`` returns the rows and their session's fingerprint. ``post`` calls
    ``ledger_post_group_audited`` only if every session of the group still has the
    fingerprint it was read with: ``fresh`` has no row otherwise, and the function is called
    once per row of ``fresh`` (it takes its chain from there), so then it posts nothing and the
    statement returns no rows."""
    compiled = token_principals_query().compile(  # type: ignore[no-untyped-call]
        dialect=pg_dialect.dialect(paramstyle="format")  # type: ignore[no-untyped-call]
    )
    names = list(compiled.positiontup or ())
    fixed = tuple(compiled.params.get(name) for name in names)
    with_fingerprints = (
        f"WITH principal_rows(session_id) AS ({compiled.string}),"
        " fingerprints AS ("
        "SELECT r.session_id, md5(string_agg(r::text, '|' ORDER BY r::text)) AS fingerprint"
        " FROM principal_rows AS r GROUP BY r.session_id)"
    )
    read = (
        f"{with_fingerprints} SELECT r.*, f.fingerprint"
        " FROM principal_rows AS r JOIN fingerprints AS f USING (session_id)"
    )
    post = (
        f"{with_fingerprints}, fresh AS ("
        "SELECT %s::integer AS chain"
        " FROM unnest(%s::uuid[], %s::text[]) AS e(session_id, fingerprint)"
        " LEFT JOIN fingerprints AS f USING (session_id)"
        " HAVING bool_and(f.fingerprint IS NOT DISTINCT FROM e.fingerprint))"
        " SELECT g.status, g.ref, g.info FROM fresh,"
        f" LATERAL ledger_post_group_audited({L.GROUP_ARGS}, %s::text[], %s::text[], %s::text[],"
        " fresh.chain) AS g"
        " ORDER BY g.item"
    )
    # The principals query's own parameters (two literal booleans) would be untyped in a
    # statement prepared without types; the rest are cast in the SQL.
    param_types = [BOOL_OID if isinstance(value, bool) else 0 for value in fixed]
    param_types += [0] * (post.count("%s") - len(fixed))
    return _Statements(
        read,
        RawStatement("kassa_fast_post", post, param_types),
        fixed,
        names.index("session_ids"),
    )


class FastTransfers:
    """The fast path's state for one app; the app's lifespan closes it."""

    def __init__(self, gather_s: float = 0.0) -> None:  # not money: seconds
        self._gather_s = gather_s
        self._loop: asyncio.AbstractEventLoop | None = None
        self._state: _LoopState | None = None

    def state(self) -> _LoopState:
        loop = asyncio.get_running_loop()
        if self._state is None or self._loop is not loop:
            # A new event loop (a test client without its context): the old loop's
            # connections cannot be used from this one.
            self.close()
            self._loop, self._state = loop, _LoopState(self._gather_s)
        return self._state

    def close(self) -> None:
        if self._state is not None:
            self._state.connections.close()
        self._state = None


class TransferFastPath:
    """ASGI middleware in front of the API: answers the transfers it can, passes the rest."""

    def __init__(self, app: ASGIApp, fast: FastTransfers) -> None:
        self.app = app
        self.fast = fast

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:
            return  # the client went away before it sent the body
        outcome = await self._answer(scope, body, receive, send)
        _ANSWERED[outcome].inc()
        if outcome in ("route", "stale"):
            await self.app(scope, _replay(body, receive), send)

    async def _answer(self, scope: Scope, body: bytes, receive: Receive, send: Send) -> str:
        """Post and answer the transfer: "posted", "replayed", "refused" or "failed" (a fault of
        ours); "route" and "stale" (the session's rows changed since they were read) post and
        send nothing and leave the request to the route."""
        taken = _take(scope, body)
        if taken is None:
            return "route"
        claims, key_header, transfer = taken
        state = self.fast.state()
        try:
            known = await state.principal(claims)
        except (ProblemError, psycopg.Error):
            return "route"
        except Exception:  # noqa: BLE001 - logged below
            # Nothing is posted yet, so the route can still serve the request; the log keeps
            # the fault of ours.
            _log.exception("the fast path could not read a principal; using the route")
            return "route"
        principal = known.principal
        if not may_post(principal):
            return "route"
        try:
            spec = transfer_spec(transfer, idempotency_key_of(key_header, principal))
            L.validate(spec)
        except ProblemError:
            return "route"
        entry_id = uuid7()
        audit = prepare(TRANSFER_AUDIT, principal.actor, **transfer_audit(entry_id, transfer))
        try:
            result = await state.posts.submit(
                _Post(spec, entry_id, audit, claims.session_id, known.fingerprint)
            )
        except _Stale:
            return "stale"
        except E.LedgerError as refusal:
            scope["route"] = _ROUTE
            await error_response(refusal, Request(scope))(scope, receive, send)
            return "refused"
        except psycopg.Error as exc:
            # The group's statement failed as a whole, so nothing of it was posted: each of
            # its transfers goes to the route, which posts it alone.
            _log.warning(
                "a fast transfer group failed (SQLSTATE %s); using the route", exc.sqlstate
            )
            return "route"
        except Exception:  # noqa: BLE001 - logged below
            # Whether the group posted is unknown here: answer as the route's handler of
            # unexpected errors does; a retry with the same key gets the true outcome.
            _log.exception("a fast transfer group failed")
            scope["route"] = _ROUTE
            await internal_error_response(Request(scope))(scope, receive, send)
            return "failed"
        scope["route"] = _ROUTE
        assert result.entry_id is not None
        payload = EntryOut(entry_id=result.entry_id, replayed=result.replayed)
        await _send_json(send, 201, payload.model_dump_json().encode())
        return "replayed" if result.replayed else "posted"


_ROUTE = _RouteLabel(PATH)


def _take(scope: Scope, body: bytes) -> tuple[AccessClaims, str, TransferIn] | None:
    """The token's claims, the Idempotency-Key and the body, when the request has the form
    this path serves and they are valid; None for anything else."""
    headers: dict[bytes, bytes] = {}
    for name, value in scope["headers"]:
        if name in (b"authorization", b"idempotency-key", b"content-type"):
            if name in headers:
                return None  # a repeated header: the route decides what it means
            headers[name] = value
    scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
    token = token.strip()
    content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
    if (
        scheme.lower() != "bearer"
        or not token
        or token.startswith(API_KEY_PREFIX)
        or content_type != b"application/json"
        or b"idempotency-key" not in headers
    ):
        return None
    try:
        claims = read_access_token(token)
        # As the framework reads a JSON body: json.loads, then the model.
        transfer = TransferIn.model_validate(json.loads(body))
    except (ProblemError, ValueError, ValidationError):
        return None
    key = headers[b"idempotency-key"]
    if "\x00" in transfer.description or b"\x00" in key:
        # PostgreSQL cannot store a NUL: the route refuses it (400). Taken here, it would
        # fail its group's statement and send the whole group to the route.
        return None
    return claims, key.decode("latin-1"), transfer


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that gives the body already read, then whatever the client sends next."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _send_json(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-length", str(len(body)).encode()),
                (b"content-type", b"application/json"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
