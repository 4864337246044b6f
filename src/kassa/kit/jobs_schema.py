"""Installs procrastinate's tables and functions from inside an Alembic migration."""

from __future__ import annotations

from alembic import op
from procrastinate.schema import SchemaManager


def install_job_schema() -> None:
    # procrastinate ships its schema as one SQL script; run it on the migration's connection.
    # It holds literal '%' signs, so it goes to the driver without parameter parsing.
    cursor = op.get_bind().connection.cursor()
    cursor.execute(SchemaManager.get_schema())


def drop_job_schema() -> None:
    connection = op.get_bind()
    rows = (
        connection.exec_driver_sql(
            "SELECT 'DROP ' || CASE WHEN p.prokind = 'p' THEN 'PROCEDURE IF EXISTS ' ELSE 'FUNCTION IF EXISTS ' END"
            " || p.oid::regprocedure || ' CASCADE' FROM pg_proc p"
            " WHERE p.proname LIKE 'procrastinate%%'"
        )
        .scalars()
        .all()
    )
    for table in (
        "procrastinate_events",
        "procrastinate_periodic_defers",
        "procrastinate_jobs",
        "procrastinate_workers",
    ):
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {table} CASCADE")
    for statement in rows:
        connection.exec_driver_sql(statement)
    connection.exec_driver_sql(
        "DROP TYPE IF EXISTS procrastinate_job_to_defer_v1, procrastinate_job_event_type,"
        " procrastinate_job_status CASCADE"
    )
