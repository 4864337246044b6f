"""The `kassa` command line."""

from __future__ import annotations

import signal
import sys
from types import FrameType
from typing import Annotated

import typer

from kassa.config import get_settings

app = typer.Typer(
    help="Kassa: digital-banking platform. Run `kassa COMMAND --help` for details.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema migrations (Alembic).", no_args_is_help=True)
user_app = typer.Typer(
    help="Manage users from the shell (acts as the system actor).", no_args_is_help=True
)
audit_app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)
sms_app = typer.Typer(help="Messages of the development SMS sender.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
app.add_typer(sms_app, name="sms")

from kassa.ledger.cli import app as ledger_app  # noqa: E402

app.add_typer(ledger_app, name="ledger")

from kassa.ach.cli import app as ach_app  # noqa: E402

app.add_typer(ach_app, name="ach", help="NACHA files: validate, describe, build.")


def _setup_logging() -> None:
    from kassa.kit.logs import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    with_worker: Annotated[bool, typer.Option(help="Also run the job worker in-process.")] = False,
    migrate: Annotated[bool, typer.Option(help="Apply migrations first.")] = True,
) -> None:
    """Serve the API and the web app (http://127.0.0.1:8000 by default)."""
    import uvicorn

    from kassa.app import create_app
    from kassa.kit.db import database_url
    from kassa.kit.migrate import upgrade

    _setup_logging()
    settings = get_settings()
    if migrate:
        upgrade(database_url())
    application = create_app(settings, run_worker=with_worker)
    _exit_cleanly_on_sigterm()
    uvicorn.run(
        application,
        host=host or settings.host,
        port=port or settings.port,
        log_config=None,
        access_log=False,
    )


def _exit_cleanly_on_sigterm() -> None:
    """Make SIGTERM (``docker stop``, systemd, ``kill``) end the process the way Ctrl-C does.

    uvicorn shuts down gracefully on SIGTERM and then raises the signal again under the
    handler that was there before it started. Python's default handler ends the process at
    once, skipping ``atexit``, and so left the embedded PostgreSQL this process started
    running after it. Exiting through SystemExit runs ``atexit``, which stops it. The status
    is 0, as after Ctrl-C (uvicorn.run swallows that KeyboardInterrupt): the shutdown was
    the one asked for, and systemd counts a status of 143 as a failure."""

    def leave(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, leave)


@app.command()
def worker(
    once: Annotated[bool, typer.Option(help="Run the jobs that are due, then exit.")] = False,
) -> None:
    """Run background jobs (e-mail, deliveries, schedules) until stopped."""
    import asyncio

    from kassa.kit.jobs import job_app, run_pending_jobs

    _setup_logging()
    if once:
        run_pending_jobs()
        return

    async def run() -> None:
        application = job_app()
        async with application.open_async():
            await application.run_worker_async()

    asyncio.run(run())


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from kassa.kit.db import database_url
    from kassa.kit.migrate import upgrade

    upgrade(database_url(), revision)
    typer.echo(f"database at {revision}")


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, e.g. -1.")],
) -> None:
    """Revert migrations down to REVISION."""
    from kassa.kit.db import database_url
    from kassa.kit.migrate import downgrade

    downgrade(database_url(), revision)
    typer.echo(f"database at {revision}")


@db_app.command("current")
def db_current() -> None:
    """Print the database's current revision."""
    from kassa.kit.db import database_url
    from kassa.kit.migrate import current

    current(database_url())


@app.command()
def demo(
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve after loading the demo data.")
    ] = True,
) -> None:
    """Migrate, load the demo data (once), print the demo logins, and serve with a worker and a
    local mail catcher, so everything works offline."""
    from kassa.demo import load_demo, print_logins
    from kassa.kit.db import database_url
    from kassa.kit.migrate import upgrade

    _setup_logging()
    url = database_url()
    upgrade(url)
    load_demo()
    print_logins()
    if serve_after:
        from kassa.devmail import start_mail_catcher

        start_mail_catcher()
        serve(host=None, port=None, with_worker=True, migrate=False)


@user_app.command("create")
def user_create(
    email: str,
    full_name: Annotated[str, typer.Option("--name", help="Full name.")],
    kind: Annotated[str, typer.Option(help="staff, individual, business or partner.")] = "staff",
    org: Annotated[str | None, typer.Option(help="Organisation id (business/partner).")] = None,
    role: Annotated[list[str] | None, typer.Option(help="Role name; repeat for several.")] = None,
    password: Annotated[
        str | None, typer.Option(help="Set a password now instead of e-mailing the set-up link.")
    ] = None,
) -> None:
    """Create a user. Without --password the registration e-mail with its link is queued."""
    from kassa.identity.cli_ops import create_user

    create_user(email, full_name, kind, org, role or [], password)


@user_app.command("grant")
def user_grant(
    email: str,
    section: str,
    level: Annotated[str, typer.Argument(help="none, read, write or approve")],
) -> None:
    """Set a per-user override on SECTION (allow / restrict to read / deny with none)."""
    from kassa.identity.cli_ops import grant

    grant(email, section, level)


@user_app.command("revoke")
def user_revoke(email: str, section: str) -> None:
    """Remove the per-user override on SECTION, so the user's roles decide again."""
    from kassa.identity.cli_ops import grant

    grant(email, section, None)


@user_app.command("disable")
def user_disable(email: str) -> None:
    """Disable a user and end all of their sessions."""
    from kassa.identity.cli_ops import disable

    disable(email)


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the hash chains; exit 1 and list the rows when anything was changed,
    deleted or inserted."""
    from kassa.audit.service import verify
    from kassa.kit.db import unit_of_work

    with unit_of_work() as session:
        report = verify(session)
    for problem in report.problems:
        typer.echo(
            f"chain {problem.chain} seq {problem.seq} record {problem.record_id}: {problem.problem}"
        )
    if report.ok:
        typer.echo(f"audit trail intact: {report.records} records in {report.chains} chains")
        return
    typer.echo(f"audit trail BROKEN: {len(report.problems)} problem(s) in {report.records} records")
    raise typer.Exit(1)


@sms_app.command("list")
def sms_list(limit: int = 20) -> None:
    """Show the newest messages of the development SMS sender."""
    import sqlalchemy as sa

    from kassa.identity.models import SmsMessage
    from kassa.kit.db import unit_of_work

    with unit_of_work() as session:
        for message in session.scalars(
            sa.select(SmsMessage).order_by(SmsMessage.created_at.desc()).limit(limit)
        ):
            typer.echo(
                f"{message.created_at:%Y-%m-%d %H:%M:%S} {message.recipient}: {message.body}"
            )


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
