"""Helpers of the reliability tests: run loads through Dagster and read what they left behind."""

from __future__ import annotations

from typing import Any

import dagster as dg
import sqlalchemy as sa

from cryptoflow.db import make_engine
from orchestration.resources import WarehouseResource
from orchestration.sensors import run_failure_sensor, run_success_sensor


def query(database_url: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    engine = make_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(sa.text(sql), params)]
    finally:
        engine.dispose()


def scalar(database_url: str, sql: str, **params: Any) -> Any:
    [(value,)] = query(database_url, sql, **params)
    return value


def record_run(
    instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult, database_url: str
) -> dict[str, Any]:
    """Let the production run-status sensor record `result`; return its `app.pipeline_runs` row."""
    event_type = (
        dg.DagsterEventType.RUN_SUCCESS if result.success else dg.DagsterEventType.RUN_FAILURE
    )
    run = instance.get_run_by_id(result.run_id)
    assert run is not None, f"run {result.run_id} is not in the instance"
    context = dg.build_run_status_sensor_context(
        sensor_name="run_success_sensor" if result.success else "run_failure_sensor",
        dagster_event=next(e for e in result.all_events if e.event_type == event_type),
        dagster_instance=instance,
        dagster_run=run,
        resources={"warehouse": WarehouseResource(database_url=database_url)},
    )
    if result.success:
        run_success_sensor(context)
    else:
        run_failure_sensor(context.for_run_failure())
    engine = make_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text("select * from app.pipeline_runs where run_id = :run_id"),
                {"run_id": result.run_id},
            )
            [row] = [dict(row) for row in rows.mappings()]
    finally:
        engine.dispose()
    return row
