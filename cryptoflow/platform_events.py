"""Data versions and platform events: how every open page learns that the warehouse moved.

A *dataset* is a part of the served data that one kind of run changes: `market` (snapshots, price
history, the latest-market view), `ohlcv` (daily candles), `analytics`, `quality` (check results)
and `pipeline` (run records). Each successful run that changes a dataset records a version of it
in `app.data_versions` (written by the run itself or its sensor, never by the API) and publishes
an event on Redis; every API process relays events to its WebSocket clients and keys its response
cache on the versions. The frames are documented in docs/live-prices.md.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import orjson

# How old a dataset may get before pages warn: twice its schedule's interval (the ingest every
# 10 minutes, candles and analytics daily, quality checks hourly); run records have no cadence.
STALE_AFTER: dict[str, timedelta | None] = {
    "market": timedelta(minutes=20),
    "ohlcv": timedelta(days=2),
    "analytics": timedelta(days=2),
    "quality": timedelta(hours=2),
    "pipeline": None,
}
DATASETS = tuple(STALE_AFTER)


def events_channel(namespace: str) -> str:
    """The Redis pub/sub channel of platform events for a namespace (CRYPTOFLOW_REDIS_NAMESPACE)."""
    return f"{namespace}:events"


def encode_event(kind: str, **fields: Any) -> bytes:
    """An event as sent on Redis and, unchanged, to browsers: `{"type": "event", "kind", ...}`."""
    return orjson.dumps({"type": "event", "kind": kind, **fields})
