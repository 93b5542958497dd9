"""The reference of the API benchmark: FastAPI returning pre-serialized bytes, nothing else.

`BENCH_BARE_BODIES` names a JSON file `{route path: body file}` written by `bench.api_throughput`
with the exact bodies the real endpoints answered, so both sides send the same bytes. It is
served by the same uvicorn command line as the API, so the only difference measured is the
work the API does per request.
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Response


def _endpoint(body: bytes) -> Callable[[], Awaitable[Response]]:
    async def constant() -> Response:
        return Response(content=body, media_type="application/json")

    return constant


def create_app(manifest: Path) -> FastAPI:
    app = FastAPI()
    for route, body_file in json.loads(manifest.read_text()).items():
        body = (manifest.parent / body_file).read_bytes()
        app.add_api_route(route, _endpoint(body), methods=["GET"])
    return app


app = create_app(Path(os.environ["BENCH_BARE_BODIES"]))
