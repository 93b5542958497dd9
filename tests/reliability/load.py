"""Concurrent HTTP clients that record every answer with its time, for outage timelines."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

TRANSPORT_ERROR = 0  # status recorded when no HTTP answer came back at all


@dataclass(frozen=True)
class Answer:
    at: float  # time.monotonic() when the answer arrived
    path: str
    status: int
    body: bytes
    content_type: str

    @property
    def ok(self) -> bool:
        return self.status == 200


async def hammer(
    base_url: str,
    paths: Sequence[str],
    *,
    connections: int,
    until: asyncio.Event,
    headers: dict[str, str] | None = None,
    pause_s: float = 0.0,
) -> list[Answer]:
    """`connections` clients cycle through `paths` as fast as answers come, until `until` is set."""
    answers: list[Answer] = []
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(
        base_url=base_url, limits=limits, timeout=10, headers=headers
    ) as client:

        async def worker(offset: int) -> None:
            for path in itertools.islice(itertools.cycle(paths), offset, None):
                if until.is_set():
                    return
                try:
                    response = await client.get(path)
                    answer = Answer(
                        time.monotonic(),
                        path,
                        response.status_code,
                        response.content,
                        response.headers.get("content-type", ""),
                    )
                except httpx.TransportError as exc:
                    answer = Answer(time.monotonic(), path, TRANSPORT_ERROR, repr(exc).encode(), "")
                answers.append(answer)
                if pause_s:
                    await asyncio.sleep(pause_s)

        await asyncio.gather(*(worker(i) for i in range(connections)))
    return answers
