"""Servers the infrastructure-fault tests own: the API as its own process, and database copies.

The PostgreSQL and Redis these tests stop are embedded ones started on their own data folders
and ports (`cryptoflow.services`), never the machine's shared servers.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from cryptoflow.db import PgParts
from cryptoflow.services import free_port

PROJECT_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
COLUMN_OPTIONS = re.compile(rb"^ALTER TABLE ONLY \S+ ALTER COLUMN \S+ SET \(.*\);$", re.MULTILINE)


@dataclass
class ApiProcess:
    """`uvicorn api.main:app` in a child process, configured only by environment variables."""

    env: dict[str, str]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, timeout_s: float = 60.0) -> ApiProcess:
        args = [
            str(VENV_BIN / "uvicorn"), "api.main:app", "--host", "127.0.0.1",
            "--port", str(self.port), "--log-level", "warning", "--no-access-log",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            args, cwd=PROJECT_ROOT, env={**os.environ, **self.env}, start_new_session=True
        )
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the API did not start on port {self.port}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def copy_database(source_url: str, target_url: str) -> None:
    """Copy a database (schemas, rows, materialized views) into another, possibly on another server.

    Uses the PostgreSQL 16 client tools shipped in the `pgserver` wheel, which read the
    machine's PostgreSQL 15 as well: no system package needed.
    """
    from pgserver._commands import POSTGRES_BIN_PATH

    dump = _run(POSTGRES_BIN_PATH / "pg_dump", "--no-owner", "--no-privileges", source_url)
    # Column options are planner hints; the machine's 15.x writes one (`pg_attver`) that 16.2
    # refuses. A copy for tests does without them.
    dump = COLUMN_OPTIONS.sub(b"", dump)
    _run(POSTGRES_BIN_PATH / "psql", "--quiet", "--set", "ON_ERROR_STOP=1", target_url, stdin=dump)


def _run(tool: Path, *args: str, stdin: bytes | None = None) -> bytes:
    urls = [PgParts.parse(a).url() if a.startswith("postgresql") else a for a in args]
    done = subprocess.run([str(tool), *urls], input=stdin, capture_output=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{tool.name} failed: {done.stderr.decode(errors='replace')[-2000:]}")
    return done.stdout
