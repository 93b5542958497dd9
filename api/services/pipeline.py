"""Pipeline runs and per-job health, read from `app.pipeline_runs` (written by Dagster sensors)."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import PipelineRun
from api.schemas.pipeline import (
    JobHealth,
    JobStatus,
    PipelineHealth,
    PipelineRunPublic,
    PipelineRunQuery,
    PipelineRunsPublic,
)

HEALTH_BY_LAST_STATUS: dict[str, JobStatus] = {"SUCCESS": "healthy", "FAILURE": "failing"}


async def list_runs(session: AsyncSession, query: PipelineRunQuery) -> PipelineRunsPublic:
    """Newest first; filters are exact matches on job name and status."""
    conditions = []
    if query.job_name is not None:
        conditions.append(PipelineRun.job_name == query.job_name)
    if query.status is not None:
        conditions.append(PipelineRun.status == query.status.upper())
    count = await session.scalar(select(func.count()).select_from(PipelineRun).where(*conditions))
    page = await session.scalars(
        select(PipelineRun)
        .where(*conditions)
        .order_by(PipelineRun.started_at.desc().nulls_last(), PipelineRun.run_id)
        .limit(query.per_page)
        .offset(query.offset)
    )
    return PipelineRunsPublic(
        data=[PipelineRunPublic.model_validate(run) for run in page], count=count or 0
    )


async def get_health(session: AsyncSession) -> PipelineHealth:
    """One entry per job that ever ran: its last run, last success and recent failures."""
    statement = text("""
        with runs as (
            select job_name, status, coalesce(ended_at, started_at, recorded_at) as finished_at
            from app.pipeline_runs
        )
        select
            job_name,
            max(finished_at) as last_run_at,
            (array_agg(status order by finished_at desc))[1] as last_status,
            max(finished_at) filter (where status = 'SUCCESS') as last_success_at,
            extract(epoch from now() - max(finished_at) filter (where status = 'SUCCESS'))
                as seconds_since_success,
            count(*) filter (
                where status = 'FAILURE' and finished_at > now() - interval '24 hours'
            ) as failure_count,
            count(*) filter (where finished_at > now() - interval '24 hours') as run_count
        from runs
        group by job_name
        order by job_name
    """)
    rows = (await session.execute(statement)).mappings().all()
    jobs = [
        JobHealth(status=HEALTH_BY_LAST_STATUS.get(row["last_status"], "unknown"), **row)
        for row in rows
    ]
    return PipelineHealth(data=jobs, count=len(jobs))
