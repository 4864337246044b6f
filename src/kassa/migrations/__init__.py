"""Alembic migrations: the only way the schema is built, in the demo and in tests."""
