"""Servers the tests start as real commands: each in its own session with its output in a log
file, waited on by condition with a deadline, and stopped with every descendant it started."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest


@dataclass
class Child:
    """One started command; `descendants` remembers every process it started (pid, start time)."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path
    descendants: set[tuple[int, float]] = field(default_factory=set)

    def remember_descendants(self) -> None:
        try:
            children = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return
        for child in children:
            try:
                self.descendants.add((child.pid, child.create_time()))
            except psutil.NoSuchProcess:
                continue

    def tail(self, chars: int = 3000) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return text[-chars:]


def start(
    name: str,
    args: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path,
    log_dir: Path,
) -> Child:
    log = log_dir / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            list(args),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Child(name, process, log)


def wait_until(
    predicate: Callable[[], bool],
    *,
    timeout_s: float,
    what: str,
    watch: Iterable[Child] = (),
    interval_s: float = 0.25,
) -> None:
    """Poll `predicate` until it holds; fail at the deadline or as soon as a watched child exits."""
    watched = list(watch)
    deadline = time.monotonic() + timeout_s
    while True:
        for child in watched:
            child.remember_descendants()
            if child.process.poll() is not None:
                pytest.fail(
                    f"{child.name} exited ({child.process.returncode}) while waiting for {what}:\n"
                    f"{child.tail()}"
                )
        if predicate():
            return
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {child.name}:\n{child.tail(1500)}" for child in watched)
            pytest.fail(f"{what} not reached within {timeout_s:.0f} s\n{logs}")
        time.sleep(interval_s)


def stop(
    children: Iterable[Child], *, sig: signal.Signals = signal.SIGTERM, timeout_s: float = 30.0
) -> None:
    """Signal each child's process group, wait, SIGKILL the group if it did not exit in time, then
    any descendant seen running that is still there (some leave the group)."""
    running = list(children)
    for child in running:
        child.remember_descendants()
        if child.process.poll() is None:
            _signal_group(child.process.pid, sig)
    deadline = time.monotonic() + timeout_s
    for child in running:
        try:
            child.process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(child.process.pid, signal.SIGKILL)
            child.process.wait(10)
        for pid, started in child.descendants:
            try:
                leftover = psutil.Process(pid)
                if leftover.create_time() == started:
                    leftover.kill()
            except psutil.NoSuchProcess:
                continue


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)
