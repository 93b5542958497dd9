"""The current version of each served dataset, as this API process knows it.

Versions are recorded by the pipeline runs (`app.data_versions`, cryptoflow.platform_events). A
process learns of a new one from the `data_version` event on Redis at once (`apply`), and reads
the table every `poll_s` as well, so a missed event (Redis restarting) costs at most that long.
Between polls, knowing the versions costs no I/O: the response cache keys on them.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cryptoflow.platform_events import DATASETS

_LATEST = text(
    """
    select distinct on (dataset) id, dataset, run_id, job_name, as_of, finished_at
    from app.data_versions
    order by dataset, id desc
    """
)


@dataclass(frozen=True)
class DataVersion:
    id: int
    dataset: str
    run_id: str
    job_name: str
    as_of: datetime | None
    finished_at: datetime

    @classmethod
    def from_event(cls, version: dict[str, Any]) -> DataVersion:
        return cls(
            id=int(version["version"]),
            dataset=str(version["dataset"]),
            run_id=str(version["run_id"]),
            job_name=str(version["job_name"]),
            as_of=datetime.fromisoformat(version["as_of"]) if version.get("as_of") else None,
            finished_at=datetime.fromisoformat(version["finished_at"]),
        )


class DataVersions:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], *, poll_s: float) -> None:
        self._sessionmaker = sessionmaker
        self._poll_s = poll_s
        self._current: dict[str, DataVersion] = {}
        self._read_at = float("-inf")
        self._lock = asyncio.Lock()

    def get(self, dataset: str) -> DataVersion | None:
        return self._current.get(dataset)

    def all(self) -> dict[str, DataVersion | None]:
        return {dataset: self._current.get(dataset) for dataset in DATASETS}

    def apply(self, version: DataVersion) -> None:
        """Take a version (from an event or the table) unless a newer one is known."""
        known = self._current.get(version.dataset)
        if known is None or known.id < version.id:
            self._current[version.dataset] = version

    async def refresh_if_due(self) -> None:
        """Read the table if `poll_s` has passed; a request never waits on another's read."""
        if time.monotonic() - self._read_at < self._poll_s or self._lock.locked():
            return
        async with self._lock:
            if time.monotonic() - self._read_at < self._poll_s:
                return
            async with self._sessionmaker() as session:
                rows = (await session.execute(_LATEST)).mappings().all()
            for row in rows:
                self.apply(DataVersion(**row))
            self._read_at = time.monotonic()
