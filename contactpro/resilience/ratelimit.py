"""Fixed-window rate limits per caller number and per client address.

With a Redis broker the counters live in Redis (one ``INCR`` and ``EXPIRE`` per hit), so every
web machine shares them; otherwise they live in the process. If Redis stops answering the limiter
lets requests through (and logs it): a broken limiter must never turn callers away.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Protocol

import redis

from contactpro.config import Settings

log = logging.getLogger(__name__)

REDIS_TIMEOUT_SECONDS = 0.25


class RateLimiter(Protocol):
    """Count a hit on ``key`` and say whether it is within ``limit`` per ``window`` seconds."""

    def allow(self, key: str, limit: int, window: int) -> bool:
        """Return True when this hit is within the limit."""
        ...


class MemoryRateLimiter:
    """Counters in this process (development, tests, a single web process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, int], int] = {}

    def allow(self, key: str, limit: int, window: int) -> bool:
        """Return True when this hit is within the limit."""
        slot = int(time.time() // window)
        with self._lock:
            if len(self._counts) > 50_000:
                self._counts = {k: v for k, v in self._counts.items() if k[1] >= slot}
            count = self._counts.get((key, slot), 0) + 1
            self._counts[(key, slot)] = count
        return count <= limit


class RedisRateLimiter:
    """Counters in Redis, shared by every web process and machine."""

    def __init__(self, url: str, prefix: str) -> None:
        self.client = redis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
        )
        self.prefix = prefix

    def allow(self, key: str, limit: int, window: int) -> bool:
        """Return True when this hit is within the limit (or Redis cannot tell)."""
        name = f"{self.prefix}:{key}:{int(time.time() // window)}"
        try:
            pipe = self.client.pipeline()
            pipe.incr(name)
            pipe.expire(name, window + 1)
            count = int(pipe.execute()[0])
        except redis.RedisError as exc:
            log.warning("rate limiter unavailable; allowing", extra={"reason": type(exc).__name__})
            return True
        return count <= limit


def limiter_for(settings: Settings) -> RateLimiter:
    """Return the limiter the settings call for: Redis with a Redis broker, else in-process."""
    if settings.broker_url.startswith(("redis://", "rediss://")):
        return RedisRateLimiter(settings.broker_url, f"contactpro:rl:{settings.task_queue}")
    return MemoryRateLimiter()
