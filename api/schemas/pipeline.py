"""Batch pipeline: the run history and each job's health, from `app.pipeline_runs`."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import PageQuery

JobStatus = Literal["healthy", "failing", "unknown"]


class PipelineRunPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    run_id: str = Field(examples=["3f1c2a9e-6c1b-4b8e-9a51-1f0d8c7b2e44"])
    job_name: str = Field(examples=["ingest_job"])
    status: str = Field(examples=["SUCCESS"])
    started_at: datetime | None
    ended_at: datetime | None
    duration_s: float | None = Field(examples=[4.2])
    records_processed: int | None = Field(examples=[50])
    error_message: str | None = None


class PipelineRunsPublic(BaseModel):
    data: list[PipelineRunPublic]
    count: int


class PipelineRunQuery(PageQuery):
    job_name: str | None = Field(default=None, max_length=255, examples=["ingest_job"])
    status: str | None = Field(default=None, max_length=32, examples=["FAILURE"])


class JobHealth(BaseModel):
    job_name: str = Field(examples=["ingest_job"])
    status: JobStatus = Field(
        description="healthy: the last run succeeded; failing: it failed; unknown: otherwise"
    )
    last_run_at: datetime | None
    last_status: str = Field(examples=["SUCCESS"])
    last_success_at: datetime | None
    seconds_since_success: float | None = Field(description="null when it never succeeded")
    failure_count: int = Field(description="failed runs in the last 24 hours", examples=[0])
    run_count: int = Field(description="runs in the last 24 hours", examples=[144])


class PipelineHealth(BaseModel):
    data: list[JobHealth]
    count: int
