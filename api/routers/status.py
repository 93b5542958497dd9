"""Platform status: the version of each served dataset and the checks that fail."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.deps import SessionDep, SettingsDep
from api.schemas.versions import PlatformStatus
from api.services import quality
from api.services.provenance import public_version

router = APIRouter(tags=["status"])


@router.get("/status", response_model=PlatformStatus)
async def read_status(
    request: Request, session: SessionDep, settings: SettingsDep
) -> PlatformStatus:
    """What every page's header and banner show: for each dataset the run that made its current
    version and how old its data is; every blocking check whose latest result fails. The live
    socket's `data_version` events say when to ask again."""
    versions = request.app.state.versions
    await versions.refresh_if_due()
    public = {
        dataset: None if version is None else public_version(version, settings)
        for dataset, version in versions.all().items()
    }
    return PlatformStatus(
        versions=public, failing_checks=await quality.list_failing_checks(session)
    )
