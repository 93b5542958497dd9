"""Serialized bodies of hot read endpoints, kept while the warehouse snapshot is unchanged.

Every ingest refreshes `marts.mv_latest_market_data`. Rather than fetch and serialize the same
rows on every request (the cost that caps a DB-backed endpoint at ~0.2 of a bare one, SPEC §9),
the cache asks PostgreSQL for a cheap fingerprint of the snapshot at most every
`check_interval_s` and drops every body when it changes. Between checks a hit is a dict lookup.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable

from fastapi import Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

Fingerprint = Callable[[AsyncSession], Awaitable[Hashable]]
Builder = Callable[[AsyncSession], Awaitable[BaseModel]]


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
        self._version: Hashable = None
        self._generation = 0  # bumped on every invalidation; a build from an older one is dropped
        self._checked_at = float("-inf")
        self._check_lock = asyncio.Lock()
        self._build_lock = asyncio.Lock()

    def _fresh(self) -> bool:
        return time.monotonic() - self._checked_at < self._check_interval_s

    async def _revalidate(self) -> None:
        if self._fresh():
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
