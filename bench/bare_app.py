"""The reference of the API benchmark: FastAPI returning pre-serialized bytes, nothing else.

`BENCH_BARE_BODIES` names a JSON file `{route path: {query string: body file}}` written by
`bench.api_throughput` with the exact bodies the real endpoints answered, so both sides send the
same bytes; two URLs of one route (`history?days=30`, `history?days=365`) keep a body each. It is
served by the same uvicorn command line as the API, so the only difference measured is the work
the API does per request.
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request, Response


def _endpoint(bodies: dict[bytes, bytes]) -> Callable[[Request], Awaitable[Response]]:
    async def constant(request: Request) -> Response:
        return Response(
            content=bodies[request.scope["query_string"]], media_type="application/json"
        )

    return constant


def create_app(manifest: Path) -> FastAPI:
    app = FastAPI()
    routes: dict[str, dict[str, str]] = json.loads(manifest.read_text())
    for route, by_query in routes.items():
        bodies = {
            query.encode("latin-1"): (manifest.parent / body_file).read_bytes()
            for query, body_file in by_query.items()
        }
        app.add_api_route(route, _endpoint(bodies), methods=["GET"])
    return app


app = create_app(Path(os.environ["BENCH_BARE_BODIES"]))
