"""Per-IP and per-account rate limits (memory for one process, Redis for several)."""

from __future__ import annotations

from functools import lru_cache

from limits import RateLimitItemPerMinute, storage, strategies

from kassa.config import get_settings
from kassa.kit.errors import TooManyRequests


@lru_cache(maxsize=1)
def _limiter() -> strategies.MovingWindowRateLimiter:
    return strategies.MovingWindowRateLimiter(
        storage.storage_from_string(get_settings().rate_limit_storage)
    )


def reset_limits() -> None:
    _limiter.cache_clear()


def hit(scope: str, key: str, per_minute: int) -> None:
    """Count one attempt; refuse with 429 when the window is full."""
    item = RateLimitItemPerMinute(per_minute)
    if not _limiter().hit(item, scope, key):
        raise TooManyRequests(
            "Too many attempts; wait a minute and try again.", headers={"Retry-After": "60"}
        )
