"""Concurrent keep-alive HTTP/1.1 clients that record every answer with its time.

Plain asyncio streams, as `bench/httpload.py`: a general-purpose client spends more CPU per
request than the server under test (httpx at 64 connections managed a tenth of the server's
rate here), and the timeline of an outage needs every answer, not a summary.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

TRANSPORT_ERROR = 0  # status recorded when no HTTP answer came back at all


@dataclass(frozen=True)
class Answer:
    at: float  # time.monotonic() when the answer arrived
    path: str
    status: int
    body: bytes  # of errors only
    content_type: str

    @property
    def ok(self) -> bool:
        return self.status == 200


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, dict[bytes, bytes], bytes]:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionResetError("the server closed the connection")
    headers = {}
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    if b"content-length" not in headers:
        raise ValueError(f"no Content-Length in the answer to a GET: {status_line!r}")
    body = await reader.readexactly(int(headers[b"content-length"]))
    return int(status_line.split(b" ", 2)[1]), headers, body


async def _client(
    host: str,
    port: int,
    requests: Sequence[tuple[str, bytes]],
    *,
    offset: int,
    until: asyncio.Event,
    pause_s: float,
    answers: list[Answer],
) -> None:
    """One connection, reopened whenever it breaks; each failure is an answer of its own."""
    writer: asyncio.StreamWriter | None = None
    reader: asyncio.StreamReader | None = None
    for path, request in itertools.islice(itertools.cycle(requests), offset, None):
        if until.is_set():
            break
        try:
            if writer is None or reader is None:
                reader, writer = await asyncio.open_connection(host, port)
            writer.write(request)
            status, headers, body = await _read_answer(reader)
            content_type = headers.get(b"content-type", b"").decode()
            kept = b"" if status == 200 else body  # thousands of answers a second: keep errors'
            answers.append(Answer(time.monotonic(), path, status, kept, content_type))
            if headers.get(b"connection") == b"close":
                writer.close()
                writer = None
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            answers.append(Answer(time.monotonic(), path, TRANSPORT_ERROR, repr(exc).encode(), ""))
            if writer is not None:
                writer.close()
            writer = None
            await asyncio.sleep(0.01)  # a refused connection must not spin
        if pause_s:
            await asyncio.sleep(pause_s)
    if writer is not None:
        writer.close()


async def hammer(
    base_url: str,
    paths: Sequence[str],
    *,
    connections: int,
    until: asyncio.Event,
    answers: list[Answer],
    headers: dict[str, str] | None = None,
    pause_s: float = 0.0,
) -> None:
    """`connections` clients cycle through `paths` as fast as answers come, until `until` is set;
    `answers` fills as they arrive, so a test can watch it live."""
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
    requests = [
        (path, f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n{extra}\r\n".encode())
        for path in paths
    ]
    await asyncio.gather(
        *(
            _client(host, port, requests, offset=i, until=until, pause_s=pause_s, answers=answers)
            for i in range(connections)
        )
    )
