"""Fallback load generator when `wrk` is unavailable: keep-alive HTTP/1.1 GETs from N asyncio
connections in one process (run it as its own process, so it does not share the server's).

Prints one JSON object: tool, requests_per_s, p50_ms, p99_ms, requests, errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from urllib.parse import urlsplit


async def _connection(
    host: str, port: int, request: bytes, deadline: float, latencies: list[float], errors: list[int]
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            writer.write(request)
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            if status_line.split(b" ", 2)[1].startswith(b"2"):
                latencies.append(time.perf_counter() - started)
            else:
                errors.append(1)
    finally:
        writer.close()


async def load(url: str, *, connections: int, duration_s: float) -> dict[str, object]:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    request = f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n".encode()
    latencies: list[float] = []
    errors: list[int] = []
    started = time.perf_counter()
    deadline = started + duration_s
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    await asyncio.gather(
        *(_connection(host, port, request, deadline, latencies, errors) for _ in range(connections))
    )
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies) or [0.0]
    return {
        "tool": "bench.httpload (asyncio, 1 process)",
        "requests_per_s": len(latencies) / elapsed,
        "p50_ms": ordered[len(ordered) // 2] * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        "requests": len(latencies),
        "errors": len(errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--duration", type=float, default=10.0)
    args = parser.parse_args()
    result = asyncio.run(load(args.url, connections=args.connections, duration_s=args.duration))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
