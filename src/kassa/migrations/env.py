"""Alembic environment: runs against Kassa's configured database."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from kassa.kit.db import database_url, to_sqlalchemy_url
from kassa.models import metadata

config = context.config
url: str = (
    config.attributes.get("database_url")
    or config.get_main_option("sqlalchemy.url")
    or database_url()
)


def run_migrations_offline() -> None:
    context.configure(url=to_sqlalchemy_url(url), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        context.configure(connection=connectable, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engine_from_config(
        {"sqlalchemy.url": to_sqlalchemy_url(url)}, prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
