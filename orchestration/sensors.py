"""Run tracking for the product: one row per finished run in `app.pipeline_runs`, read by the API.

Each recorded run is also a new version of the `pipeline` dataset, announced (with a
`run_failed` event for a failure) to every API process and open page.

Dagster's own storage stays the record of truth; these sensors copy each finished run's
summary (status, start, end, duration, records processed, error) into the table the API
reads, upserting on run_id so a sensor replaying a run cannot duplicate it. Records processed
is the sum of `rows_loaded` (dlt loads) — or, for an asset without it, of `dagster/row_count`
(dbt models) — over the run's materializations. Plain SQL: orchestration imports no API model.
"""

from datetime import UTC, datetime
from typing import Protocol

import dagster as dg
import sqlalchemy as sa

from orchestration.data_versions import record_version, version_event
from orchestration.resources import WarehouseResource

MAX_ERROR_CHARS = 4000
UPSERT_RUN = sa.text(
    """
    insert into app.pipeline_runs as r (
        run_id, job_name, status, started_at, ended_at, duration_s, records_processed,
        error_message
    )
    values (
        :run_id, :job_name, :status, :started_at, :ended_at, :duration_s, :records_processed,
        :error_message
    )
    on conflict (run_id) do update set
        job_name = excluded.job_name,
        status = excluded.status,
        started_at = excluded.started_at,
        ended_at = excluded.ended_at,
        duration_s = excluded.duration_s,
        records_processed = excluded.records_processed,
        error_message = excluded.error_message,
        recorded_at = now()
    """
)


def records_processed(instance: dg.DagsterInstance, run_id: str) -> int:
    total = 0
    records = instance.get_records_for_run(
        run_id=run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
    ).records
    for record in records:
        materialization = record.event_log_entry.asset_materialization
        if materialization is None:
            continue
        metadata = materialization.metadata
        count = metadata.get("rows_loaded") or metadata.get("dagster/row_count")
        if isinstance(count, dg.IntMetadataValue) and count.value is not None:
            total += count.value
    return total


class ErrorChain(Protocol):
    """What a step failure's error is (Dagster's serialized exception, whose class is not public
    API): a message and the exceptions it was raised from."""

    @property
    def message(self) -> str: ...
    @property
    def cause(self) -> "ErrorChain | None": ...
    @property
    def context(self) -> "ErrorChain | None": ...


def _root_cause(error: ErrorChain) -> ErrorChain:
    while (inner := error.cause or error.context) is not None:
        error = inner
    return error


def failure_message(context: dg.RunFailureSensorContext) -> str:
    """Each failed step with the root cause of its error (e.g. the CoinGecko URL and status)."""
    parts = [
        f"step {event.step_key} failed: {_root_cause(event.step_failure_data.error).message.strip()}"
        for event in context.get_step_failure_events()
        if event.step_failure_data.error is not None
    ]
    message = "\n".join(parts) or (context.failure_event.message or "run failed")
    return message[:MAX_ERROR_CHARS]


def record_run(
    context: dg.RunStatusSensorContext,
    warehouse: WarehouseResource,
    *,
    status: str,
    error_message: str | None = None,
) -> dict[str, object]:
    """Upsert the run's row into app.pipeline_runs and return it."""
    run = context.dagster_run
    record = context.instance.get_run_record_by_id(run.run_id)
    started = record.start_time if record else None
    ended = record.end_time if record else None
    ended_at = datetime.fromtimestamp(ended, UTC) if ended else None
    row: dict[str, object] = {
        "run_id": run.run_id,
        "job_name": run.job_name,
        "status": status,
        "started_at": datetime.fromtimestamp(started, UTC) if started else None,
        "ended_at": ended_at,
        "duration_s": round(ended - started, 3) if started and ended else None,
        "records_processed": records_processed(context.instance, run.run_id),
        "error_message": error_message,
    }
    engine = warehouse.engine()
    try:
        with engine.begin() as conn:
            conn.execute(UPSERT_RUN, row)
            version = record_version(
                conn,
                dataset="pipeline",
                run_id=run.run_id,
                job_name=run.job_name,
                as_of=ended_at,
            )
    finally:
        engine.dispose()
    context.log.info(f"recorded run {run.run_id} of {run.job_name}: {status}")
    events = [version_event(version)]
    if status == "FAILURE":
        events.append(
            {
                "kind": "run_failed",
                "run_id": run.run_id,
                "job_name": run.job_name,
                "message": error_message or "run failed",
            }
        )
    warehouse.publish_events(events)
    return row


def _run_status_recorder(
    status: dg.DagsterRunStatus, *, description: str, error_message: str | None = None
) -> dg.RunStatusSensorDefinition:
    """The sensor recording every run that ends in `status` (the failure sensor adds its errors)."""

    @dg.run_status_sensor(
        name=f"run_{status.value.lower()}_sensor",
        run_status=status,
        minimum_interval_seconds=5,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=description,
    )
    def record(context: dg.RunStatusSensorContext, warehouse: WarehouseResource) -> None:
        record_run(context, warehouse, status=status.value, error_message=error_message)

    return record


run_success_sensor = _run_status_recorder(
    dg.DagsterRunStatus.SUCCESS, description="Records every successful run in app.pipeline_runs."
)
run_canceled_sensor = _run_status_recorder(
    dg.DagsterRunStatus.CANCELED,
    description="Records every canceled run in app.pipeline_runs.",
    error_message="run canceled",
)


@dg.run_failure_sensor(
    name="run_failure_sensor",
    minimum_interval_seconds=5,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Records every failed run, with the failing steps' errors, in app.pipeline_runs.",
)
def run_failure_sensor(context: dg.RunFailureSensorContext, warehouse: WarehouseResource) -> None:
    record_run(context, warehouse, status="FAILURE", error_message=failure_message(context))


sensors = [run_success_sensor, run_failure_sensor, run_canceled_sensor]
