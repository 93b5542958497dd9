"""Helpers of the orchestration tests: resources pointed at the simulator and a test database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dagster_dlt import DagsterDltResource

from orchestration.resources import CoinGeckoResource, WarehouseResource

# A frozen simulator instant close to real time: snapshots are stable within a test, and the
# incremental history logic (which measures days against the real clock) sees a sane gap.
FROZEN_AT = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def ingest_resources(
    database_url: str, base_url: str, *, top_n: int = 5, history_days: int = 30, **client: Any
) -> dict[str, object]:
    options: dict[str, Any] = {"rate_limit": 100_000, "max_retries": 3, "backoff_s": 0.05}
    options.update(client)
    return {
        "dlt": DagsterDltResource(),
        "coingecko": CoinGeckoResource(
            base_url=base_url, top_n=top_n, history_days=history_days, **options
        ),
        "warehouse": WarehouseResource(database_url=database_url),
    }
