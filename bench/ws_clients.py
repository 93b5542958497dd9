"""WebSocket clients of the fan-out benchmark, run as their own process by `bench.ws_fanout`.

Each client is a bare asyncio protocol (no task or queue per socket), so a few hundred of them
cost the load side little next to the server they measure. Like a browser, a client offers
permessage-deflate. It counts the ticks of every `ticks` frame and puts publish→arrival latency
(`now - tick.ts`, the publisher stamps `ts` at PUBLISH) into a histogram of 0.1 ms buckets.
Clients share one parse per distinct frame (the hub sends the same bytes to all of them).

Protocol with the parent: prints `READY` once every client has its snapshot, then runs until
every client has `--expected` ticks or stdin closes, and writes its results (JSON) to `--out`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import struct
import sys
import time
import zlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import cast
from urllib.parse import urlsplit

import orjson
import uvloop

BUCKETS_PER_MS = 10
CONNECT_CONCURRENCY = 50
DECODED_FRAMES_KEPT = 256
_DEFLATE_TAIL = b"\x00\x00\xff\xff"


class Stats:
    def __init__(self, clients: int) -> None:
        self.ticks = [0] * clients
        self.frames = 0
        self.bytes = 0
        self.histogram: dict[int, int] = {}
        self.snapshots = 0
        self.closed = 0
        self._decoded: dict[bytes, tuple[str, list[float]]] = {}

    def decode(self, raw: bytes) -> tuple[str, list[float]]:
        """(frame type, publish instants of its ticks); every client of this process gets the
        same frames, so each is parsed once here, not once per client."""
        decoded = self._decoded.get(raw)
        if decoded is None:
            frame = orjson.loads(raw)
            instants = [
                datetime.fromisoformat(tick["ts"]).timestamp()
                for tick in frame.get("data", [])
                if frame.get("type") == "ticks"
            ]
            decoded = (str(frame.get("type")), instants)
            if len(self._decoded) > DECODED_FRAMES_KEPT:
                self._decoded.clear()
            self._decoded[raw] = decoded
        return decoded


class Client(asyncio.Protocol):
    def __init__(self, index: int, stats: Stats, request: bytes, on_change: asyncio.Event) -> None:
        self.index = index
        self.stats = stats
        self.request = request
        self.on_change = on_change
        self.buffer = bytearray()
        self.handshaken = False
        self.inflater: zlib._Decompress | None = None
        self.message = bytearray()
        self.message_compressed = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A TCP connection's transport; uvloop's has Transport's methods but does not subclass it.
        self.transport = cast(asyncio.Transport, transport)
        self.transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        self.stats.closed += 1
        self.on_change.set()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.handshaken:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buffer[:end]).decode("latin-1").lower()
            del self.buffer[: end + 4]
            if not head.startswith("http/1.1 101"):
                raise ConnectionError(f"handshake refused: {head.splitlines()[0]}")
            if "permessage-deflate" in head:
                self.inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            self.handshaken = True
        self._frames()

    def _frames(self) -> None:
        buffer = self.buffer
        while len(buffer) >= 2:
            first, second = buffer[0], buffer[1]
            length, offset = second & 0x7F, 2
            if length == 126:
                if len(buffer) < 4:
                    return
                (length,), offset = struct.unpack_from("!H", buffer, 2), 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                (length,), offset = struct.unpack_from("!Q", buffer, 2), 10
            if len(buffer) < offset + length:
                return
            payload = bytes(buffer[offset : offset + length])
            del buffer[: offset + length]
            self._frame(first & 0x80, first & 0x40, first & 0x0F, payload)

    def _frame(self, fin: int, rsv1: int, opcode: int, payload: bytes) -> None:
        if opcode == 0x9:  # ping → pong (client frames are masked)
            self._send(0xA, payload)
            return
        if opcode == 0x8:
            assert self.transport is not None
            self.transport.close()
            return
        if opcode in (0x1, 0x2):
            self.message = bytearray(payload)
            self.message_compressed = bool(rsv1)
        elif opcode == 0x0:
            self.message += payload
        else:
            return
        if fin:
            raw = bytes(self.message)
            if self.message_compressed and self.inflater is not None:
                raw = self.inflater.decompress(raw + _DEFLATE_TAIL)
            self._message(raw)

    def _message(self, raw: bytes) -> None:
        now = time.time()
        stats = self.stats
        stats.frames += 1
        stats.bytes += len(raw)
        kind, published = stats.decode(raw)
        if kind == "snapshot":
            stats.snapshots += 1
            self.on_change.set()
        elif kind == "ticks":
            stats.ticks[self.index] += len(published)
            histogram = stats.histogram
            for at in published:
                bucket = max(0, int((now - at) * 1000 * BUCKETS_PER_MS))
                histogram[bucket] = histogram.get(bucket, 0) + 1
            self.on_change.set()

    def _send(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        header = bytes([0x80 | opcode, 0x80 | len(payload)])  # control frames are < 126 bytes
        assert self.transport is not None
        self.transport.write(header + mask + masked)


def handshake(url: str) -> tuple[str, int, bytes]:
    parts = urlsplit(url)
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
    )
    return parts.hostname or "127.0.0.1", parts.port or 80, request.encode()


async def wait_until(event: asyncio.Event, done: Callable[[], bool], timeout_s: float) -> bool:
    """Wait on `event` (set whenever something arrived) until `done()` or the timeout."""
    deadline = time.monotonic() + timeout_s
    while not done():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        event.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), min(remaining, 0.5))
    return True


async def run(url: str, *, clients: int, expected: int, timeout_s: float) -> dict[str, object]:
    loop = asyncio.get_running_loop()
    stats = Stats(clients)
    changed = asyncio.Event()
    host, port, request = handshake(url)
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    transports: list[asyncio.BaseTransport] = []

    async def connect(index: int) -> None:
        async with gate:
            transport, _ = await loop.create_connection(
                lambda: Client(index, stats, request, changed), host, port
            )
            transports.append(transport)

    await asyncio.gather(*(connect(i) for i in range(clients)))
    await wait_until(changed, lambda: stats.snapshots >= clients, 60)
    print("READY", flush=True)

    stdin_closed = asyncio.Event()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    async def watch_stdin() -> None:
        await reader.read()
        stdin_closed.set()
        changed.set()

    watcher = asyncio.create_task(watch_stdin())
    await wait_until(
        changed,
        lambda: stdin_closed.is_set() or min(stats.ticks) >= expected,
        timeout_s,
    )
    watcher.cancel()
    closed_early = stats.closed
    for transport in transports:
        transport.close()
    return {
        "ticks": stats.ticks,
        "frames": stats.frames,
        "bytes": stats.bytes,
        "closed_early": closed_early,
        "histogram": dict(stats.histogram),
        "cpu_s": sum(os.times()[:2]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--clients", type=int, required=True)
    parser.add_argument("--expected", type=int, required=True, help="ticks every client awaits")
    parser.add_argument("--out", type=Path, required=True, help="where to write the results")
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    result = uvloop.run(  # the event loop uvicorn serves the API with
        run(args.url, clients=args.clients, expected=args.expected, timeout_s=args.timeout)
    )
    args.out.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
