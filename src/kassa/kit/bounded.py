"""Small in-memory caches that never grow past a limit."""

from __future__ import annotations

from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


def keep_newest(cache: dict[K, V], key: K, value: V, limit: int) -> None:
    """Put ``key`` into ``cache`` as its newest entry, dropping the oldest ones (dicts keep
    insertion order) so that at most ``limit`` remain. Not thread-safe: a cache shared by
    threads is changed under the caller's lock."""
    cache.pop(key, None)
    while cache and len(cache) >= limit:
        del cache[next(iter(cache))]
    cache[key] = value
