"""The web app's own checks (TypeScript, vitest) and its API types staying in step with the API."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from api.main import create_app
from cryptoflow.settings import Settings

WEB = Path(__file__).resolve().parents[2] / "web"


def _npm(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    npm = shutil.which("npm")
    assert npm, "npm is not on PATH: the web checks need Node 20+ and npm"
    if not (WEB / "node_modules").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=WEB, check=True, timeout=300)
    return subprocess.run(
        [npm, *args], cwd=WEB, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.mark.parametrize("script", ["typecheck", "test"])
def test_npm_script_passes(script: str) -> None:
    result = _npm("run", script)
    assert result.returncode == 0, f"npm run {script} failed:\n{result.stdout}\n{result.stderr}"


def test_client_types_match_the_api_schema(tmp_path: Path) -> None:
    """`web/src/api/schema.d.ts` is generated from the API as it is now, not as it once was."""
    app = create_app(Settings(database_url="postgresql://u:@127.0.0.1:1/db", redis_url="redis://x"))
    exported = tmp_path / "openapi.json"
    exported.write_text(json.dumps(app.openapi(), indent=1, ensure_ascii=False) + "\n")
    generated = tmp_path / "schema.d.ts"
    result = _npm("exec", "--", "openapi-typescript", str(exported), "-o", str(generated))
    assert result.returncode == 0, result.stderr
    committed = (WEB / "src" / "api" / "schema.d.ts").read_text()
    assert generated.read_text() == committed, (
        "web/src/api/schema.d.ts is out of date with the API: run "
        "`python -m api.openapi_export && (cd web && npm run gen:api)`"
    )
