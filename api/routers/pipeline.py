"""Batch pipeline: run history and job health."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import SessionDep
from api.schemas.pipeline import PipelineHealth, PipelineRunQuery, PipelineRunsPublic
from api.services import pipeline

router = APIRouter(prefix="/pipeline", tags=["pipeline"])


@router.get("/runs", response_model=PipelineRunsPublic)
async def read_pipeline_runs(
    session: SessionDep, query: Annotated[PipelineRunQuery, Query()]
) -> PipelineRunsPublic:
    """Dagster runs, newest first, with status, duration, records processed and error."""
    return await pipeline.list_runs(session, query)


@router.get("/health", response_model=PipelineHealth)
async def read_pipeline_health(session: SessionDep) -> PipelineHealth:
    """Per job: last run, last success, time since it, failures in the last 24 hours."""
    return await pipeline.get_health(session)
