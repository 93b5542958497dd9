"""Schedules (UTC), switchable in the Dagster UI; every one starts running by default."""

from __future__ import annotations

import dagster as dg

from orchestration.jobs import analytics_job, history_job, ingest_job, quality_job

INGEST_CRON = "*/10 * * * *"
DAILY_OHLCV_CRON = "0 3 * * *"
ANALYTICS_CRON = "0 4 * * *"
QUALITY_CRON = "0 * * * *"


def _schedule(name: str, job: dg.UnresolvedAssetJobDefinition, cron: str) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name=name,
        job=job,
        cron_schedule=cron,
        execution_timezone="UTC",
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )


ingest_schedule = _schedule("ingest_schedule", ingest_job, INGEST_CRON)
daily_ohlcv_schedule = _schedule("daily_ohlcv_schedule", history_job, DAILY_OHLCV_CRON)
analytics_schedule = _schedule("analytics_schedule", analytics_job, ANALYTICS_CRON)
quality_schedule = _schedule("quality_schedule", quality_job, QUALITY_CRON)

schedules = [ingest_schedule, daily_ohlcv_schedule, analytics_schedule, quality_schedule]
