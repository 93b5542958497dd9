"""Versioned answers: public warehouse GETs served from their bytes, with ETag and 304s.

A route that declares the dataset it reads (`openapi_extra=reads("market")`) answers each
(path, query string) once per version of that dataset: the first request runs the endpoint
(dependencies, SQL, validation, serialization) and the answer is kept; until a run records a new
version of that dataset, the same request is answered from the kept bytes. A new `market`
version makes exactly the `market` answers stale (the others keep theirs).

Kept answers are sent by `KeptAnswersMiddleware` before routing: FastAPI's routing, the
dependencies and the other middleware cost several times the answer itself (the endpoints are
held to a share of a bare endpoint's throughput: docs/targets.md). A request the middleware
cannot answer (not kept, or kept for an older version, or cross-origin, whose CORS headers
depend on the origin) goes through the route, which keeps its answer for the next one.

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
from sqlalchemy.exc import DBAPIError
from starlette.types import ASGIApp, Receive, Scope, Send

from api.core.versions import DataVersion, DataVersions

DATASET_KEY = "x-dataset"
PUBLIC_CACHE_CONTROL = "public, no-cache"
PRIVATE_CACHE_CONTROL = "private, no-cache"

RawHeaders = list[tuple[bytes, bytes]]
RequestKey = tuple[str, bytes]  # path, raw query string


def reads(dataset: str) -> dict[str, Any]:
    """`openapi_extra` of a route whose answer is a function of `dataset` and its query only."""
    return {DATASET_KEY: dataset}


@dataclass(frozen=True)
class CachedAnswer:
    dataset: str
    version: DataVersion | None
    body: bytes
    etag: str
    headers: RawHeaders  # of the 200, content-length included
    not_modified_headers: RawHeaders  # of a 304: no body, so no content headers

    @property
    def version_id(self) -> int | None:
        return self.version.id if self.version else None

    def not_modified(self, if_none_match: bytes | None, if_modified_since: bytes | None) -> bool:
        if if_none_match is not None:
            tags = {tag.strip().removeprefix(b"W/") for tag in if_none_match.split(b",")}
            return self.etag.encode() in tags or b"*" in tags
        if if_modified_since and self.version is not None:
            try:
                since = parsedate_to_datetime(if_modified_since.decode("latin-1"))
            except (TypeError, ValueError):
                return False
            return self.version.finished_at.replace(microsecond=0) <= since
        return False


def keep(dataset: str, version: DataVersion | None, body: bytes, media_type: str) -> CachedAnswer:
    etag = f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'
    common = [(b"etag", etag.encode()), (b"cache-control", PUBLIC_CACHE_CONTROL.encode())]
    if version is not None:
        modified = format_datetime(version.finished_at.astimezone(UTC), usegmt=True)
        common.append((b"last-modified", modified.encode()))
    content = [(b"content-type", media_type.encode()), (b"content-length", str(len(body)).encode())]
    return CachedAnswer(
        dataset=dataset,
        version=version,
        body=body,
        etag=etag,
        headers=common + content,
        not_modified_headers=common,
    )


class AnswerCache:
    """The newest kept answer per (path, query string); the least recently used go first once
    the bodies kept pass `max_bytes`."""

    def __init__(self, *, max_bytes: int = 64 * 1024 * 1024) -> None:
        self._max_bytes = max_bytes
        self._bytes = 0
        self._answers: OrderedDict[RequestKey, CachedAnswer] = OrderedDict()

    def get(self, key: RequestKey) -> CachedAnswer | None:
        answer = self._answers.get(key)
        if answer is not None:
            self._answers.move_to_end(key)
        return answer

    def put(self, key: RequestKey, answer: CachedAnswer) -> None:
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


async def current_answer(scope: Scope) -> CachedAnswer | None:
    """The answer kept for this request if it is of its dataset's current version."""
    state = scope["app"].state
    versions: DataVersions = state.versions
    await versions.refresh_if_due()
    answer: CachedAnswer | None = state.answers.get((scope["path"], scope["query_string"]))
    if answer is None:
        return None
    current = versions.get(answer.dataset)
    return answer if (current.id if current else None) == answer.version_id else None


# What the CORS middleware adds to every answer that passes it: an answer depends on the Origin.
_VARY = (b"vary", b"Origin")


async def send_answer(scope: Scope, send: Send, answer: CachedAnswer, *, vary: bool) -> None:
    """Send `answer`, or a 304 if the request's validators match it; `vary` adds the Vary header
    the CORS middleware would (the middleware path does not pass it)."""
    if_none_match = if_modified_since = None
    for name, value in scope["headers"]:
        if name == b"if-none-match":
            if_none_match = value
        elif name == b"if-modified-since":
            if_modified_since = value
    if answer.not_modified(if_none_match, if_modified_since):
        # always a new list: the CORS middleware adds its headers to the one it is sent
        headers = [*answer.not_modified_headers, *([_VARY] if vary else [])]
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    headers = [*answer.headers, *([_VARY] if vary else [])]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})


class KeptAnswersMiddleware:
    """Sends the kept answer of a same-origin GET before routing (see the module)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            cross_origin = any(name == b"origin" for name, _ in scope["headers"])
            try:
                answer = None if cross_origin else await current_answer(scope)
            except DBAPIError:
                answer = None  # the route meets the same error, and its handlers answer 503
            if answer is not None:
                await send_answer(scope, send, answer, vary=True)
                return
        await self.app(scope, receive, send)


class VersionedRoute(APIRoute):
    """An APIRoute whose `reads(...)` answers are kept per data version (see the module)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        run_endpoint = super().get_route_handler()
        dataset = (self.openapi_extra or {}).get(DATASET_KEY)
        if dataset is None:
            return run_endpoint

        async def answer(request: Request) -> Response:
            scope = request.scope
            kept = await current_answer(scope)
            if kept is None:
                version = request.app.state.versions.get(dataset)
                request.state.data_version = version
                response = await run_endpoint(request)
                if response.status_code != 200:
                    return response
                media_type = response.media_type or "application/json"
                kept = keep(dataset, version, bytes(response.body), media_type)
                request.app.state.answers.put((scope["path"], scope["query_string"]), kept)
            return _KeptResponse(kept)

        return answer


class _KeptResponse(Response):
    """A kept answer sent from a route (a cross-origin request, or the first one)."""

    def __init__(self, answer: CachedAnswer) -> None:
        super().__init__()
        self.answer = answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send_answer(scope, send, self.answer, vary=False)
