"""Provenance of answers: the data version they were read under, as clients see it."""

from __future__ import annotations

from typing import Any, TypeVar

import orjson

from api.core.versions import DataVersion, DataVersions
from api.schemas.versions import DataVersionPublic, Provenance
from cryptoflow.platform_events import STALE_AFTER
from cryptoflow.settings import Settings

Answer = TypeVar("Answer", bound=Provenance)


def labelled(answer: Answer, version: DataVersion | None) -> Answer:
    """`answer` with the `as_of` and `run_id` of `version` (null before the first run)."""
    if version is not None:
        answer.as_of = version.as_of
        answer.run_id = version.run_id
    return answer


def public_version(version: DataVersion, settings: Settings) -> DataVersionPublic:
    stale_after = STALE_AFTER[version.dataset]
    return DataVersionPublic(
        dataset=version.dataset,
        version=version.id,
        run_id=version.run_id,
        job_name=version.job_name,
        as_of=version.as_of,
        finished_at=version.finished_at,
        stale_after_s=None if stale_after is None else int(stale_after.total_seconds()),
        run_url=settings.dagster_run_url(version.run_id),
    )


def relay_event(raw: bytes | str, versions: DataVersions, settings: Settings) -> str | None:
    """The browser frame of a platform event from Redis; a `data_version` is applied first, so
    a page that refetches on it is answered from the new version. None for an unreadable one."""
    try:
        event: dict[str, Any] = orjson.loads(raw)
        if event.get("kind") == "data_version":
            version = DataVersion.from_event(event["version"])
            versions.apply(version)
            event["version"] = public_version(version, settings).model_dump(mode="json")
        elif event.get("run_id"):
            event["run_url"] = settings.dagster_run_url(str(event["run_id"]))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None
    return orjson.dumps(event).decode()
