"""Failed-login counting in Redis, so the limit holds across API workers and restarts."""

from __future__ import annotations

import hashlib

from redis.asyncio import Redis

from cryptoflow.settings import Settings


def _key(settings: Settings, *, client_ip: str, email: str) -> str:
    # Hashed: the key must not leak emails to whoever can list Redis keys.
    digest = hashlib.sha256(f"{client_ip}|{email.lower()}".encode()).hexdigest()[:32]
    return f"{settings.redis_namespace}:login-failures:{digest}"


async def seconds_locked(redis: Redis, settings: Settings, *, client_ip: str, email: str) -> int:
    """0 when this IP may try this email again, else seconds until the window ends."""
    key = _key(settings, client_ip=client_ip, email=email)
    failures, ttl = await redis.pipeline(transaction=False).get(key).ttl(key).execute()
    if failures is None or int(failures) < settings.login_max_failures:
        return 0
    return max(int(ttl), 1)


async def record_failure(redis: Redis, settings: Settings, *, client_ip: str, email: str) -> None:
    key = _key(settings, client_ip=client_ip, email=email)
    pipe = redis.pipeline(transaction=True)
    pipe.incr(key)
    pipe.expire(key, settings.login_lockout_s, nx=True)
    await pipe.execute()


async def clear_failures(redis: Redis, settings: Settings, *, client_ip: str, email: str) -> None:
    await redis.delete(_key(settings, client_ip=client_ip, email=email))
