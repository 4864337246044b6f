"""`kassa ledger ...`: checks and housekeeping of the ledger."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="The double-entry ledger: verify balances, expire holds.", no_args_is_help=True
)


@app.command("verify")
def verify_cmd() -> None:
    """Recompute every balance from the postings and check that every entry balances;
    exit 1 listing each difference."""
    from kassa.kit.db import unit_of_work
    from kassa.ledger.service import verify

    with unit_of_work() as session:
        report = verify(session)
    for problem in report.problems:
        typer.echo(problem)
    summary = f"{report.accounts} accounts, {report.entries} entries, {report.postings} postings"
    if report.ok:
        typer.echo(f"ledger consistent: {summary}")
        return
    typer.echo(f"ledger INCONSISTENT: {len(report.problems)} problem(s) in {summary}")
    raise typer.Exit(1)


@app.command("expire-holds")
def expire_holds_cmd() -> None:
    """Release every pending hold whose expiry time has passed."""
    from kassa.ledger.service import expire_all_holds

    total = expire_all_holds()
    typer.echo(f"expired {total} hold(s)")
