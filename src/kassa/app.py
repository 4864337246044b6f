"""The application factory: every domain's router, error handling, middleware, web app."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse
from starlette.staticfiles import StaticFiles

import kassa
from kassa.accounts.api import router as accounts_router
from kassa.audit.api import router as audit_router
from kassa.config import Settings, get_settings
from kassa.customers.api import router as customers_router
from kassa.identity.api_admin import router as admin_router
from kassa.identity.api_auth import router as auth_router
from kassa.identity.api_me import router as me_router
from kassa.kit.errors import install_error_handlers
from kassa.kit.middleware import RequestContextMiddleware
from kassa.ledger.api import router as ledger_router
from kassa.ledger.fastpath import FastTransfers, TransferFastPath
from kassa.ops import router as ops_router
from kassa.support.api import router as support_router

_log = logging.getLogger(__name__)

API_ROUTERS = [auth_router, me_router, admin_router, audit_router, ops_router]
API_ROUTERS += [ledger_router, customers_router, accounts_router]
API_ROUTERS += [support_router]


def create_app(settings: Settings | None = None, *, run_worker: bool = False) -> FastAPI:
    settings = settings or get_settings()
    fast_transfers = FastTransfers(gather_s=settings.http_fast_transfers_gather_ms / 1000)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker: asyncio.Task[None] | None = None
        if run_worker:
            worker = asyncio.create_task(_in_process_worker())
        yield
        fast_transfers.close()
        if worker is not None:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await worker

    app = FastAPI(
        title="Kassa API",
        version=kassa.__version__,
        description=(
            "Kassa's HTTP API. Errors are RFC 9457 problem+json with a stable `code`. "
            "Authenticate with the `kassa_access` cookie (browser, plus X-CSRF-Token on "
            "state changes), a bearer access token, or an API key (`Authorization: Bearer "
            "kassa_...`)."
        ),
        lifespan=lifespan,
        # Kassa's metrics are Prometheus (/metrics) and its logs its own; FastAPI's built-in
        # OpenTelemetry is not used, and looking for its providers cost every request time.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.fast_transfers = fast_transfers
    install_error_handlers(app)
    for router in API_ROUTERS:
        app.include_router(router)
    _mount_web(app, settings.web_dist)
    if settings.http_fast_transfers:
        # Inside the request context: the fast path's requests get their id, body limit, log
        # line and metrics like any other.
        app.add_middleware(TransferFastPath, fast=fast_transfers)
    app.add_middleware(RequestContextMiddleware, max_body_bytes=settings.max_body_bytes)
    return app


async def _in_process_worker() -> None:
    """Run the job worker inside the web process (the demo); production runs `kassa worker`."""
    from kassa.kit.jobs import job_app

    app = job_app()
    async with app.open_async():
        await app.run_worker_async(install_signal_handlers=False)


def _mount_web(app: FastAPI, dist: Path) -> None:
    """Serve the built web app; any non-API path falls back to index.html (client routing)."""
    index = dist / "index.html"
    if (dist / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=dist / "assets"), name="assets")

    @app.get("/{path:path}", include_in_schema=False, response_model=None)
    def spa(path: str) -> FileResponse | HTMLResponse:
        if path.startswith(("api/", "healthz", "metrics")):
            from kassa.kit.errors import NotFound

            raise NotFound("No such endpoint.")
        candidate = (dist / path).resolve()
        if path and candidate.is_file() and dist.resolve() in candidate.parents:
            return FileResponse(candidate)
        if index.is_file():
            return FileResponse(index)
        return HTMLResponse(
            "<h1>Kassa</h1><p>The API runs; the web app is not built. "
            "See <a href='/docs'>/docs</a>.</p>"
        )

    spa.kassa_access = ("public", None, None)  # type: ignore[attr-defined]
