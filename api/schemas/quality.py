"""Data quality: check results and per-table scores, from `app.data_quality_checks`."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import PageQuery
from api.schemas.versions import Provenance


class CheckStatus(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


class QualityCheckPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    run_id: str | None
    check_name: str = Field(examples=["freshness_check"])
    table_name: str = Field(examples=["marts.fact_market_data"])
    status: str = Field(examples=["pass"])
    severity: str = Field(examples=["ERROR"])
    description: str | None
    details: dict[str, Any] | None = Field(examples=[{"minutes_since_last_snapshot": 4}])
    checked_at: datetime


class QualityChecksPublic(Provenance):
    data: list[QualityCheckPublic]
    count: int


class QualityCheckQuery(PageQuery):
    status: CheckStatus | None = None
    table_name: str | None = Field(default=None, max_length=255, examples=["marts.dim_coin"])
    check_name: str | None = Field(default=None, max_length=255)
    latest: bool = Field(
        default=True, description="only the newest result of each check (false: full history)"
    )


class TableQuality(BaseModel):
    table_name: str = Field(examples=["marts.fact_market_data"])
    score: float = Field(ge=0, le=100, examples=[95.0])
    passed: int
    warned: int
    failed: int
    total: int
    last_checked_at: datetime | None


class QualitySummary(Provenance):
    score: float | None = Field(
        description="0-100: passed checks count 1, warnings 1/2, failures 0; null before any check",
        examples=[97.5],
    )
    passed: int
    warned: int
    failed: int
    total: int
    last_checked_at: datetime | None
    tables: list[TableQuality]
