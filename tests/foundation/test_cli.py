"""The `kassa` command line."""

from __future__ import annotations

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kassa.cli import app as cli
from tests.helpers import login

runner = CliRunner()


def test_help_lists_every_command() -> None:
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "worker", "db", "demo", "user", "audit", "ach", "ledger"):
        assert command in result.output
    for group, subcommands in (
        ("db", ("upgrade", "downgrade", "current")),
        ("user", ("create", "grant", "revoke", "disable")),
    ):
        out = runner.invoke(cli, [group, "--help"]).output
        assert all(name in out for name in subcommands)


def test_user_commands(app_client: TestClient) -> None:
    created = runner.invoke(
        cli,
        [
            "user",
            "create",
            "ops@kassa.example",
            "--name",
            "Ops Person",
            "--role",
            "auditor",
            "--password",
            "a-long-password-1",
        ],
    )
    assert created.exit_code == 0, created.output
    ops = login(app_client, "ops@kassa.example", "a-long-password-1")
    assert ops.get("/api/v1/audit/records").status_code == 200
    assert (
        runner.invoke(cli, ["user", "grant", "ops@kassa.example", "audit", "none"]).exit_code == 0
    )
    assert ops.get("/api/v1/audit/records").status_code == 403
    assert runner.invoke(cli, ["user", "revoke", "ops@kassa.example", "audit"]).exit_code == 0
    assert ops.get("/api/v1/audit/records").status_code == 200
    bad = runner.invoke(cli, ["user", "grant", "ops@kassa.example", "nowhere", "read"])
    assert bad.exit_code == 1 and "unknown section" in bad.output
    assert runner.invoke(cli, ["user", "disable", "ops@kassa.example"]).exit_code == 0
    assert ops.get("/api/v1/me").status_code == 401
    missing = runner.invoke(cli, ["user", "disable", "ghost@kassa.example"])
    assert missing.exit_code == 1


def test_db_current(db_url: str) -> None:
    result = runner.invoke(cli, ["db", "current"])
    assert result.exit_code == 0
