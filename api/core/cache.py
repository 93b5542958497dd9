"""Serialized bodies of hot read endpoints, kept while the warehouse snapshot is unchanged.

Every ingest refreshes `marts.mv_latest_market_data`. Rather than fetch and serialize the same
rows on every request (that work, not the query, held an endpoint to about a fifth of a bare one:
docs/stack-notes.md), the cache asks PostgreSQL for a cheap fingerprint of the snapshot at most
every `check_interval_s` and drops every body when it changes. Between checks a hit is a dict
lookup; while one request checks, the others keep answering from what is cached (no convoy every
second).

`SnapshotReplayMiddleware` goes one step further for the hottest paths: a GET it has seen answered
200 (same path, same query string) is answered again with the same bytes before routing,
validation and dependencies run, which cost several times the request itself (these endpoints
are held to a share of a bare endpoint's throughput: docs/targets.md). Its replies live in this
cache and go with every invalidation.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable

from fastapi import Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

Fingerprint = Callable[[AsyncSession], Awaitable[Hashable]]
Builder = Callable[[AsyncSession], Awaitable[BaseModel]]
Reply = tuple[Message, bytes]  # the response start message and the whole body


class SnapshotCache:
    def __init__(
        self,
        *,
        sessionmaker: async_sessionmaker[AsyncSession],
        fingerprint: Fingerprint,
        check_interval_s: float,
        max_entries: int = 512,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._fingerprint = fingerprint
        self._check_interval_s = check_interval_s
        self._max_entries = max_entries
        self._bodies: OrderedDict[Hashable, bytes] = OrderedDict()
        self._replies: OrderedDict[Hashable, Reply] = OrderedDict()
        self._version: Hashable = None
        self._generation = 0  # bumped on every invalidation; a build from an older one is dropped
        self._checked_at = float("-inf")
        self._check_lock = asyncio.Lock()
        self._build_lock = asyncio.Lock()

    def _fresh(self) -> bool:
        return time.monotonic() - self._checked_at < self._check_interval_s

    async def _revalidate(self) -> None:
        if self._fresh() or (self._check_lock.locked() and (self._bodies or self._replies)):
            return
        async with self._check_lock:
            if self._fresh():
                return
            async with self._sessionmaker() as session:
                version = await self._fingerprint(session)
            if version != self._version:
                self._version = version
                self._generation += 1
                self._bodies.clear()
                self._replies.clear()
            self._checked_at = time.monotonic()

    async def body(self, key: Hashable, build: Builder) -> bytes:
        """The JSON body for `key`, built once (not once per concurrent request) on a miss."""
        await self._revalidate()
        body = self._bodies.get(key)
        if body is not None:
            return body
        async with self._build_lock:
            body = self._bodies.get(key)
            if body is not None:
                return body
            generation = self._generation
            async with self._sessionmaker() as session:
                model = await build(session)
            body = model.__pydantic_serializer__.to_json(model)
            if generation == self._generation:
                self._bodies[key] = body
                if len(self._bodies) > self._max_entries:
                    self._bodies.popitem(last=False)
            return body

    async def response(self, key: Hashable, build: Builder) -> Response:
        return Response(await self.body(key, build), media_type="application/json")

    def fresh_reply(self, key: Hashable) -> Reply | None:
        """The reply kept for `key` if no check is due; no I/O, so it never fails."""
        if self._fresh() or self._check_lock.locked():
            return self._replies.get(key)
        return None

    @property
    def generation(self) -> int:
        return self._generation

    def remember(self, key: Hashable, reply: Reply, *, generation: int) -> None:
        """Keep `reply` unless the snapshot changed since the request that produced it began."""
        if generation == self._generation:
            self._replies[key] = reply
            if len(self._replies) > self._max_entries:
                self._replies.popitem(last=False)


class SnapshotReplayMiddleware:
    """Replays the 200 answers of `paths` (GET, same query string) from the snapshot cache.

    Only paths whose answer depends on nothing but the warehouse snapshot and the query string
    belong here. Requests with an `Origin` header pass through, so CORS answers stay per origin.
    """

    def __init__(self, app: ASGIApp, *, paths: frozenset[str]) -> None:
        self.app = app
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or scope["path"] not in self.paths
            or any(name == b"origin" for name, _ in scope["headers"])
        ):
            await self.app(scope, receive, send)
            return
        cache: SnapshotCache = scope["app"].state.cache
        key = ("replay", scope["path"], scope["query_string"])
        reply = cache.fresh_reply(key)  # when a check is due, the endpoint does it
        if reply is not None:
            start, body = reply
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        generation = cache.generation
        messages: list[Message] = []

        async def keep(message: Message) -> None:
            messages.append(message)
            await send(message)

        await self.app(scope, receive, keep)
        if (
            len(messages) == 2
            and messages[0]["status"] == 200
            and not messages[1].get("more_body", False)
        ):
            start = {**messages[0], "headers": list(messages[0].get("headers", []))}
            cache.remember(key, (start, messages[1].get("body", b"")), generation=generation)
