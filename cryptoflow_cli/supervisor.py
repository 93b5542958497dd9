"""Start the platform's long-running processes and stop every one of them, whatever happens."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path


@dataclass
class Supervisor:
    """Runs children in their own process groups with logs in `log_dir`; `stop()` ends them all."""

    log_dir: Path
    env: dict[str, str]
    cwd: Path
    children: list[Child] = field(default_factory=list)

    def start(self, name: str, args: list[str]) -> Child:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / f"{name}.log"
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                args,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        child = Child(name, process, log_path)
        self.children.append(child)
        return child

    def failed(self) -> Child | None:
        return next((c for c in self.children if c.process.poll() is not None), None)

    def wait_until(
        self, child: Child, ready: Callable[[], bool], *, timeout_s: float, what: str
    ) -> None:
        deadline = time.monotonic() + timeout_s
        while not ready():
            if child.process.poll() is not None:
                raise RuntimeError(
                    f"{child.name} exited ({child.process.returncode}); see {child.log_path}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{what} not ready after {timeout_s:.0f} s; see {child.log_path}"
                )
            time.sleep(0.2)

    def stop(self, *, grace_s: float = 10.0) -> None:
        """SIGTERM every process group (newest first), then SIGKILL what is left after `grace_s`."""
        for child in reversed(self.children):
            _signal_group(child.process, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        for child in reversed(self.children):
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.process.wait(max(0.1, deadline - time.monotonic()))
            _signal_group(child.process, signal.SIGKILL)
            child.process.wait()
        self.children.clear()


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def http_ok(url: str, *, timeout_s: float = 2.0) -> Callable[[], bool]:
    """A readiness probe: whether `url` answers 200 within `timeout_s`."""

    def check() -> bool:
        try:
            return httpx.get(url, timeout=timeout_s).status_code == 200
        except httpx.HTTPError:
            return False

    return check
