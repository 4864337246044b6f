"""Shared building blocks: database, money, errors, auth dependencies, jobs, ids, clock."""
