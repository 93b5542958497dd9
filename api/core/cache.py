"""Versioned answers: public warehouse GETs served from their bytes, with ETag and 304s.

A route that declares the dataset it reads (`openapi_extra=reads("market")`) answers each
(path, query string) once per version of that dataset: the first request runs the endpoint
(dependencies, SQL, validation, serialization) and keeps the body; every later one, until a run
records a new version, is a dict lookup. So a hit costs neither SQL nor model validation, and a
new `market` version drops exactly the `market` answers (the others keep theirs).

Every answer carries `ETag` (a hash of the body: it changes exactly when the body does),
`Last-Modified` (when the version was recorded) and `Cache-Control: public, no-cache` (browsers
and proxies may keep it but must revalidate); `If-None-Match` / `If-Modified-Since` get a 304.
The endpoint labels its body with the same version (`as_of`, `run_id`): see `DataVersionDep`.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from api.core.versions import DataVersion, DataVersions

DATASET_KEY = "x-dataset"
PUBLIC_CACHE_CONTROL = "public, no-cache"
PRIVATE_CACHE_CONTROL = "private, no-cache"


def reads(dataset: str) -> dict[str, Any]:
    """`openapi_extra` of a route whose answer is a function of `dataset` and its query only."""
    return {DATASET_KEY: dataset}


@dataclass(frozen=True)
class CachedAnswer:
    body: bytes
    headers: dict[str, str]
    etag: str
    version: DataVersion | None

    def not_modified(self, request: Request) -> bool:
        if_none_match = request.headers.get("if-none-match")
        if if_none_match is not None:
            tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            return self.etag in tags or "*" in tags
        if_modified_since = request.headers.get("if-modified-since")
        if if_modified_since and self.version is not None:
            try:
                since = parsedate_to_datetime(if_modified_since)
            except (TypeError, ValueError):
                return False
            return self.version.finished_at.replace(microsecond=0) <= since
        return False


class AnswerCache:
    """Bodies per (dataset, version, path, query); the least recently used go first once the
    bodies kept pass `max_bytes` (answers of old versions are never asked again and age out)."""

    def __init__(self, *, max_bytes: int = 64 * 1024 * 1024) -> None:
        self._max_bytes = max_bytes
        self._bytes = 0
        self._answers: OrderedDict[tuple[Any, ...], CachedAnswer] = OrderedDict()

    def get(self, key: tuple[Any, ...]) -> CachedAnswer | None:
        answer = self._answers.get(key)
        if answer is not None:
            self._answers.move_to_end(key)
        return answer

    def put(self, key: tuple[Any, ...], answer: CachedAnswer) -> None:
        previous = self._answers.pop(key, None)
        if previous is not None:
            self._bytes -= len(previous.body)
        self._answers[key] = answer
        self._bytes += len(answer.body)
        while self._bytes > self._max_bytes and len(self._answers) > 1:
            _, evicted = self._answers.popitem(last=False)
            self._bytes -= len(evicted.body)

    def __len__(self) -> int:
        return len(self._answers)


def _answer(body: bytes, media_type: str, version: DataVersion | None) -> CachedAnswer:
    etag = f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'
    headers = {"etag": etag, "cache-control": PUBLIC_CACHE_CONTROL, "content-type": media_type}
    if version is not None:
        headers["last-modified"] = format_datetime(version.finished_at.astimezone(UTC), usegmt=True)
    return CachedAnswer(body=body, headers=headers, etag=etag, version=version)


class VersionedRoute(APIRoute):
    """An APIRoute whose `reads(...)` answers are kept per data version (see the module)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        run_endpoint = super().get_route_handler()
        dataset = (self.openapi_extra or {}).get(DATASET_KEY)
        if dataset is None:
            return run_endpoint

        async def answer(request: Request) -> Response:
            versions: DataVersions = request.app.state.versions
            cache: AnswerCache = request.app.state.answers
            await versions.refresh_if_due()
            version = versions.get(dataset)
            key = (dataset, version.id if version else None, request.url.path, request.url.query)
            cached = cache.get(key)
            if cached is None:
                request.state.data_version = version
                response = await run_endpoint(request)
                if response.status_code != 200:
                    return response
                cached = _answer(
                    bytes(response.body), response.media_type or "application/json", version
                )
                cache.put(key, cached)
            if cached.not_modified(request):
                headers = {k: v for k, v in cached.headers.items() if k != "content-type"}
                return Response(status_code=304, headers=headers)
            return Response(cached.body, headers=cached.headers)

        return answer
