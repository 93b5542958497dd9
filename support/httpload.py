"""Concurrent keep-alive HTTP/1.1 clients that record every answer with its time and latency.

The one HTTP load client of the tests and the benchmarks, in `support/` (their shared package,
not shipped): the reliability tests watch `hammer`'s answers live (the timeline of an outage needs
every answer, not a summary); `bench.loadgen` runs `python -m support.httpload URL` as its own
process when `wrk` is missing, which prints `load`'s summary as one JSON object (tool,
requests_per_s, p50_ms, p99_ms, requests, errors). `--header 'Name: value'` (repeatable) adds a
request header. Success is what wrk counts as such, any answer below 400; `--expect-status 304`
counts exactly that status instead (a revalidation load).

Plain asyncio streams: a general-purpose client spends more CPU per request than the server under
test (httpx at 64 connections managed a tenth of the server's rate here).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
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
    latency_s: float  # from writing the request to the end of the answer (or of the failure)

    @property
    def ok(self) -> bool:
        return self.status == 200


# Answers that never have a body (RFC 9110 §6.4.1): Starlette sends a 304 without Content-Length.
_NO_BODY = frozenset({204, 304})


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, dict[bytes, bytes], bytes]:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionResetError("the server closed the connection")
    status = int(status_line.split(b" ", 2)[1])
    headers = {}
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    if status in _NO_BODY or 100 <= status < 200:
        return status, headers, b""
    if b"content-length" not in headers:
        raise ValueError(f"no Content-Length in the answer to a GET: {status_line!r}")
    body = await reader.readexactly(int(headers[b"content-length"]))
    return status, headers, body


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
        sent = time.monotonic()
        try:
            if writer is None or reader is None:
                reader, writer = await asyncio.open_connection(host, port)
                sent = time.monotonic()
            writer.write(request)
            status, headers, body = await _read_answer(reader)
            content_type = headers.get(b"content-type", b"").decode()
            kept = b"" if status == 200 else body  # thousands of answers a second: keep errors'
            at = time.monotonic()
            answers.append(Answer(at, path, status, kept, content_type, at - sent))
            if headers.get(b"connection") == b"close":
                writer.close()
                writer = None
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            at = time.monotonic()
            failure = repr(exc).encode()
            answers.append(Answer(at, path, TRANSPORT_ERROR, failure, "", at - sent))
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


def succeeded(status: int, expect_status: int | None) -> bool:
    """A successful answer of a load: `expect_status` exactly when given, else any answer below
    400 (as wrk counts them); a transport error (status 0) never is."""
    return status == expect_status if expect_status is not None else 200 <= status < 400


def parse_header(text: str) -> tuple[str, str]:
    """`'Name: value'` (curl's and wrk's `-H` syntax) → (name, value)."""
    name, colon, value = text.partition(":")
    if not colon or not name.strip():
        raise ValueError(f"not a header 'Name: value': {text!r}")
    return name.strip(), value.strip()


async def load(
    url: str,
    *,
    connections: int,
    duration_s: float,
    headers: dict[str, str] | None = None,
    expect_status: int | None = None,
) -> dict[str, object]:
    """`connections` clients GET `url` (with `headers`) for `duration_s`: requests/s and the
    latency percentiles of the successful answers (`succeeded`); errors are the other answers
    and the failed requests."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    answers: list[Answer] = []
    until = asyncio.Event()
    started = time.monotonic()
    asyncio.get_running_loop().call_later(duration_s, until.set)
    await hammer(
        f"{parts.scheme}://{parts.netloc}",
        (target or "/",),
        connections=connections,
        until=until,
        answers=answers,
        headers=headers,
    )
    elapsed = time.monotonic() - started
    good = [a.latency_s for a in answers if succeeded(a.status, expect_status)]
    latencies = sorted(good) or [0.0]
    return {
        "tool": "support.httpload (asyncio, 1 process)",
        "requests_per_s": len(good) / elapsed,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "requests": len(good),
        "errors": len(answers) - len(good),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="HTTP GET load on one URL; prints JSON.")
    parser.add_argument("url")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument(
        "--header", action="append", default=[], type=parse_header, metavar="'NAME: VALUE'",
        help="a request header (repeatable)",
    )  # fmt: skip
    parser.add_argument(
        "--expect-status", type=int, help="count this status as success (default: any below 400)"
    )
    args = parser.parse_args()
    result = asyncio.run(
        load(
            args.url,
            connections=args.connections,
            duration_s=args.duration,
            headers=dict(args.header),
            expect_status=args.expect_status,
        )
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
