"""Serve the built dashboard (`web/dist`) at `/`, with the SPA fallback deep links need.

`StaticFiles(html=True)` answers 404 for client-side routes such as `/coins/bitcoin` on reload,
so hashed bundles are mounted under `/assets` and one catch-all GET, registered after every API
route, returns a real file from `dist` when there is one and `index.html` otherwise. Unknown
`/api/...` paths and missing files stay 404 so a typo never gets HTML back.
"""

from __future__ import annotations

import logging
import os
import re
from os import PathLike
from pathlib import Path

from fastapi import FastAPI, status
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from cryptoflow.settings import PROJECT_ROOT

log = logging.getLogger("api.web")

WEB_DIST = PROJECT_ROOT / "web" / "dist"
# A last path segment with one of these suffixes asks for a file, never for a page.
_FILE_SUFFIX = re.compile(
    r"\.(js|mjs|css|map|json|png|jpe?g|gif|svg|ico|webp|avif|woff2?|ttf|txt|xml|webmanifest)$",
    re.IGNORECASE,
)
_NO_CACHE = {"Cache-Control": "no-cache"}


class _HashedAssets(StaticFiles):
    """Vite puts a content hash in every asset name, so browsers may keep them forever."""

    def file_response(
        self,
        full_path: PathLike[str] | str,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def _not_found(detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status.HTTP_404_NOT_FOUND)


def mount_web(app: FastAPI, dist: Path = WEB_DIST) -> None:
    """Add the dashboard to `app`; call it last, after every API router is included."""
    root = dist.resolve()
    index = root / "index.html"
    if not index.is_file():
        log.warning(
            "web app not built (%s missing): run `cd web && npm ci && npm run build`", index
        )
    app.mount("/assets", _HashedAssets(directory=root / "assets", check_dir=False), name="assets")

    @app.get("/{path:path}", include_in_schema=False)
    async def serve_web(path: str) -> Response:
        if path == "api" or path.startswith("api/"):
            return _not_found(f"no API route /{path}")
        if path:
            candidate = (root / path).resolve()
            if candidate.is_relative_to(root) and candidate.is_file():
                return FileResponse(candidate)
            if _FILE_SUFFIX.search(path):
                return _not_found(f"no file /{path}")
        if not index.is_file():
            return JSONResponse(
                {"detail": "the web app is not built: run `cd web && npm ci && npm run build`"},
                status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        return FileResponse(index, headers=_NO_CACHE)
