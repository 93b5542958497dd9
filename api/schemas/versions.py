"""Provenance: which pipeline run made the data of an answer, and how current it is."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class Provenance(BaseModel):
    """Fields every warehouse answer carries, for the dataset it reads."""

    as_of: datetime | None = Field(
        default=None,
        description="the data's own time: newest snapshot (market), newest candle day (ohlcv), "
        "newest analytics day, or when the checks ran (quality); null before the first run",
    )
    run_id: str | None = Field(
        default=None,
        description="the Dagster run that produced this data (as shown in the Dagster UI and "
        "listed by /pipeline/runs); null before the first run",
    )


class DataVersionPublic(BaseModel):
    """The current version of one served dataset."""

    dataset: str = Field(examples=["market"])
    version: int = Field(description="increases with every run that changes any dataset")
    run_id: str
    job_name: str = Field(examples=["ingest_job"])
    as_of: datetime | None
    finished_at: datetime = Field(description="when the run recorded this version")
    stale_after_s: int | None = Field(
        description="age of `as_of` after which the data is overdue (twice its schedule)"
    )
    run_url: str = Field(description="the run in the Dagster UI")


class FailingCheck(BaseModel):
    """The latest result of a blocking (error-severity) check that fails."""

    check_name: str
    table_name: str
    status: str = Field(examples=["fail"])
    description: str | None
    run_id: str | None


class PlatformStatus(BaseModel):
    """What every page shows in its header and banner: the versions and what is failing."""

    versions: dict[str, DataVersionPublic | None]
    failing_checks: list[FailingCheck]
