"""Versions of the served datasets, recorded by the runs that change them, and their events.

After a dbt build the run records one `app.data_versions` row per dataset it changed, with the
data's own time (`as_of`), and publishes a `data_version` event; failed checks and failed runs
are events too (cryptoflow.platform_events has the datasets and the channel). Plain SQL on the
table of `api/models.py::DataVersion`: the orchestration imports no API model. Upserts on
(dataset, run_id), so a retried step records its run once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import dagster as dg
import sqlalchemy as sa

from orchestration.quality.store import CheckOutcome, check_row

# The data's own time per dataset: the newest snapshot, the newest candle day, the newest
# analytics day (each day read as its UTC midnight), and for check results the time they ran.
AS_OF_SQL = {
    "market": "select max(snapshot_at) from marts.fact_market_data",
    "ohlcv": "select max(date_day)::timestamp at time zone 'utc' from marts.fact_daily_ohlcv",
    "analytics": (
        "select max(date_day)::timestamp at time zone 'utc' from analytics.analytics_daily_returns"
    ),
    "quality": "select now()",
}

_UPSERT = sa.text(
    """
    insert into app.data_versions (dataset, run_id, job_name, as_of, finished_at)
    values (:dataset, :run_id, :job_name, :as_of, now())
    on conflict (dataset, run_id) do update set
        job_name = excluded.job_name, as_of = excluded.as_of, finished_at = excluded.finished_at
    returning id as version, dataset, run_id, job_name, as_of, finished_at
    """
)


def dataset_of(asset_key: dg.AssetKey) -> str | None:
    """The served dataset a warehouse asset belongs to; None for what no answer reads."""
    schema, name = asset_key.path[0], asset_key.path[-1]
    if schema == "analytics":
        return "analytics"
    if schema == "marts":
        return "ohlcv" if name == "fact_daily_ohlcv" else "market"
    return None


def record_version(
    conn: sa.Connection,
    *,
    dataset: str,
    run_id: str,
    job_name: str,
    as_of: datetime | None = None,
) -> dict[str, Any]:
    """Upsert the version of `dataset` made by `run_id`; `as_of` defaults to the data's own."""
    if as_of is None and dataset in AS_OF_SQL:
        as_of = conn.execute(sa.text(AS_OF_SQL[dataset])).scalar_one()
    params = {"dataset": dataset, "run_id": run_id, "job_name": job_name, "as_of": as_of}
    return dict(conn.execute(_UPSERT, params).mappings().one())


def version_event(version: Mapping[str, Any]) -> dict[str, Any]:
    """The `data_version` event of a recorded version (JSON-ready)."""
    plain = {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in version.items()
    }
    return {"kind": "data_version", "dataset": version["dataset"], "version": plain}


def check_events(run_id: str, outcomes: Iterable[CheckOutcome]) -> list[dict[str, Any]]:
    """A `check` event for every outcome that failed or warned."""
    events = []
    for outcome in outcomes:
        row = check_row(run_id, outcome)
        if row["status"] != "pass":
            events.append(
                {
                    "kind": "check",
                    "check_name": row["check_name"],
                    "table_name": row["table_name"],
                    "status": row["status"],
                    "run_id": run_id,
                    "description": row["description"],
                }
            )
    return events
