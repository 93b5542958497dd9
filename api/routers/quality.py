"""Data quality: check results and scores."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.core.cache import VersionedRoute, reads
from api.deps import DataVersionDep, SessionDep
from api.schemas.quality import QualityCheckQuery, QualityChecksPublic, QualitySummary
from api.services import quality
from api.services.provenance import labelled

router = APIRouter(prefix="/quality", tags=["quality"], route_class=VersionedRoute)


@router.get("/checks", response_model=QualityChecksPublic, openapi_extra=reads("quality"))
async def read_quality_checks(
    session: SessionDep, version: DataVersionDep, query: Annotated[QualityCheckQuery, Query()]
) -> QualityChecksPublic:
    """Check results (dbt tests and our own), newest first; filter by status, table or check."""
    return labelled(await quality.list_checks(session, query), version)


@router.get("/summary", response_model=QualitySummary, openapi_extra=reads("quality"))
async def read_quality_summary(session: SessionDep, version: DataVersionDep) -> QualitySummary:
    """Overall and per-table scores over the latest result of each check."""
    return labelled(await quality.get_summary(session), version)
