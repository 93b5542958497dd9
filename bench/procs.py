"""Processes of a benchmark: servers started in their own process group, polled until ready,
stopped by their id, and measured (RSS of a process and its descendants)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
MB = 1024 * 1024


def wait_for(ready: Callable[[], bool], *, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not ready after {timeout_s:.0f} s")
        time.sleep(0.1)


@dataclass
class Server:
    """A child process in its own session, so that stopping it ends its workers too."""

    name: str
    args: list[str]
    env: dict[str, str] = field(default_factory=dict)
    log_path: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        log = self.log_path.open("ab") if self.log_path else subprocess.DEVNULL
        try:
            self.process = subprocess.Popen(
                self.args,
                cwd=PROJECT_ROOT,
                env={**os.environ, **self.env},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            if self.log_path:
                log.close()  # type: ignore[union-attr]
        return self

    def wait_ready(self, ready: Callable[[], bool], *, timeout_s: float = 60) -> Server:
        def alive_and_ready() -> bool:
            if self.process is not None and self.process.poll() is not None:
                tail = self.log_path.read_text()[-3000:] if self.log_path else ""
                raise RuntimeError(f"{self.name} exited ({self.process.returncode})\n{tail}")
            return ready()

        wait_for(alive_and_ready, timeout_s=timeout_s, what=self.name)
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def rss_bytes(self) -> int:
        return tree_rss(self.pid)

    def cpu_seconds(self) -> float:
        """User + system CPU time of the process and its descendants so far."""
        total = 0.0
        for process in tree(self.pid):
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                times = process.cpu_times()
                total += times.user + times.system
        return total

    def stop(self, *, sig: int = signal.SIGTERM, grace_s: float = 15.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        try:
            self.process.wait(grace_s)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@contextlib.contextmanager
def running(*servers: Server) -> Iterator[tuple[Server, ...]]:
    """Stop every server on the way out, whatever happened."""
    try:
        yield servers
    finally:
        for server in reversed(servers):
            server.stop()


def tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def processes_rss(processes: Iterable[psutil.Process]) -> int:
    total = 0
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            total += process.memory_info().rss
    return total


def tree_rss(pid: int) -> int:
    return processes_rss(tree(pid))


def uvicorn_args(app: str, *, port: int, workers: int, app_dir: Path | None = None) -> list[str]:
    """The flags `cryptoflow up` serves the API with, for the API and its bare reference alike:
    only the app differs."""
    args = [
        str(VENV_BIN / "uvicorn"), app, "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers), "--no-access-log", "--ws-per-message-deflate", "false",
        "--log-level", "warning",
    ]  # fmt: skip
    if app_dir is not None:
        args += ["--app-dir", str(app_dir)]
    return args


def live_api(
    *, port: int, workers: int, database_url: str, redis_url: str, namespace: str, log_path: Path
) -> Server:
    """The real API (`api.main:app`) on a warehouse and a Redis namespace of its own."""
    return Server(
        "API",
        uvicorn_args("api.main:app", port=port, workers=workers),
        env={
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CRYPTOFLOW_REDIS_NAMESPACE": namespace,
        },
        log_path=log_path,
    )


def listening(port: int) -> Callable[[], bool]:
    """Ready check of a live API: its Redis listener is subscribed."""
    status_url = f"http://127.0.0.1:{port}/api/v1/ws/status"

    def subscribed() -> bool:
        try:
            return bool(httpx.get(status_url, timeout=2).json()["redis_connected"])
        except (httpx.HTTPError, ValueError, KeyError):
            return False

    return subscribed
