"""Failed-login counting in Redis, so the limit holds across API workers and restarts.

While Redis is unreachable each process counts on its own instead: logins keep working through
a Redis restart, and guessing stays capped (per worker) meanwhile.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from cryptoflow.settings import Settings

log = logging.getLogger("api")
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)


class _ProcessCounts:
    """The same counting windows, kept in this process: the limit while Redis is away."""

    max_keys = 10_000

    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, float]] = {}  # key -> (attempts, window end)

    def incr(self, key: str, *, window_s: int) -> tuple[int, float]:
        """Attempts in the key's window after this one, and the seconds the window has left."""
        now = time.monotonic()
        if len(self._windows) >= self.max_keys:
            self._windows = {k: w for k, w in self._windows.items() if w[1] > now}
        attempts, ends = self._windows.get(key, (0, now + window_s))
        if ends <= now:
            attempts, ends = 0, now + window_s
        self._windows[key] = (attempts + 1, ends)
        return attempts + 1, ends - now

    def clear(self, key: str) -> None:
        self._windows.pop(key, None)


_process_counts = _ProcessCounts()


def _key(settings: Settings, *, client_ip: str, email: str) -> str:
    # Hashed: the key must not leak emails to whoever can list Redis keys.
    digest = hashlib.sha256(f"{client_ip}|{email.lower()}".encode()).hexdigest()[:32]
    return f"{settings.redis_namespace}:login-failures:{digest}"


async def reserve_attempt(redis: Redis, settings: Settings, *, client_ip: str, email: str) -> int:
    """Count this attempt before its password is checked; 0 when it may go on, else seconds
    until the window ends.

    Counting first, in one atomic INCR, is what caps parallel guessing: were the count read
    first and raised only after a failed check, every guess sent at once would pass the read.
    A successful login clears the count, so only failed attempts add up.
    """
    key = _key(settings, client_ip=client_ip, email=email)
    pipe = redis.pipeline(transaction=True)
    # The window starts with the first attempt (SET NX EX: EXPIRE NX needs Redis 7, the
    # embedded server is 6.2); INCR keeps the TTL.
    pipe.set(key, 0, ex=settings.login_lockout_s, nx=True)
    pipe.incr(key)
    pipe.ttl(key)
    try:
        _, attempts, ttl = await pipe.execute()
    except REDIS_DOWN as exc:
        log.warning("login limit: redis unreachable, counting in this process: %s", exc)
        attempts, ttl = _process_counts.incr(key, window_s=settings.login_lockout_s)
    if int(attempts) <= settings.login_max_failures:
        return 0
    return max(int(ttl), 1)


async def clear_failures(redis: Redis, settings: Settings, *, client_ip: str, email: str) -> None:
    key = _key(settings, client_ip=client_ip, email=email)
    _process_counts.clear(key)
    with contextlib.suppress(*REDIS_DOWN):
        await redis.delete(key)
