"""Data quality: check results and scores."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import SessionDep
from api.schemas.quality import QualityCheckQuery, QualityChecksPublic, QualitySummary
from api.services import quality

router = APIRouter(prefix="/quality", tags=["quality"])


@router.get("/checks", response_model=QualityChecksPublic)
async def read_quality_checks(
    session: SessionDep, query: Annotated[QualityCheckQuery, Query()]
) -> QualityChecksPublic:
    """Check results (dbt tests and our own), newest first; filter by status, table or check."""
    return await quality.list_checks(session, query)


@router.get("/summary", response_model=QualitySummary)
async def read_quality_summary(session: SessionDep) -> QualitySummary:
    """Overall and per-table scores over the latest result of each check."""
    return await quality.get_summary(session)
