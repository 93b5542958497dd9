"""HTTP load at N concurrent connections: Debian's `wrk` (C, multi-threaded, not the bottleneck),
installed with apt-get when missing and allowed; else `support.httpload`, the asyncio client the
reliability tests use too, in its own process. Both send the same request headers and report
requests/s and latency percentiles of successful requests: any answer below 400 (wrk's own rule),
or exactly `expect_status` when given (a 304 revalidation load; for wrk a Lua script counts the
other answers)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass

WRK_THREADS = 2
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}

# wrk counts only statuses > 399 as errors; with an expected status, this script counts every
# other answer (per thread, summed in `done`), and `parse_wrk` takes them out of the successes.
_EXPECT_STATUS_LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) unexpected = 0 end
function response(status, headers, body)
  if status ~= %d then unexpected = unexpected + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("unexpected") end
  io.write(string.format("Unexpected status: %%d\\n", total))
end
"""


@dataclass
class Load:
    tool: str
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # answers ≥ 400 (or not `expect_status`) and socket errors


def wrk_binary() -> str | None:
    """`wrk` on PATH, else try `apt-get install -y wrk` (root only); None when unavailable."""
    found = shutil.which("wrk")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    try:
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "wrk"],
            check=True,
            capture_output=True,
            timeout=180,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
        return None
    return shutil.which("wrk")


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS_MS[unit]


def parse_wrk(output: str) -> Load:
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", output, re.MULTILINE))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if socket:
        errors += sum(int(n) for n in socket.groups())
    unexpected = re.search(r"Unexpected status: (\d+)", output)
    if unexpected and requests:  # answered, but not with the expected status: not successes
        wrong = min(int(unexpected.group(1)), requests)
        rate *= (requests - wrong) / requests
        requests -= wrong
        errors += wrong
    return Load("wrk", rate, _ms(percentiles["50"]), _ms(percentiles["99"]), requests, errors)


def run_load(
    url: str,
    *,
    connections: int,
    duration_s: float,
    wrk: str | None,
    headers: Mapping[str, str] | None = None,
    expect_status: int | None = None,
) -> Load:
    """GET `url` at `connections` for `duration_s` with `headers`; success is any answer below
    400, or exactly `expect_status` when given."""
    header_lines = [f"{name}: {value}" for name, value in (headers or {}).items()]
    if wrk:
        args = [
            wrk, f"-t{WRK_THREADS}", f"-c{connections}", f"-d{max(1, round(duration_s))}s",
            "--latency", "--timeout", "10s",
        ]  # fmt: skip
        for line in header_lines:
            args += ["-H", line]
        with tempfile.TemporaryDirectory(prefix="wrk-") as scratch:
            if expect_status is not None:
                script = os.path.join(scratch, "expect_status.lua")
                with open(script, "w") as file:
                    file.write(_EXPECT_STATUS_LUA % expect_status)
                args += ["-s", script]
            done = subprocess.run([*args, url], check=True, capture_output=True, text=True)
        return parse_wrk(done.stdout)
    args = [
        sys.executable, "-m", "support.httpload", url,
        "--connections", str(connections), "--duration", str(duration_s),
    ]  # fmt: skip
    for line in header_lines:
        args += ["--header", line]
    if expect_status is not None:
        args += ["--expect-status", str(expect_status)]
    done = subprocess.run(args, check=True, capture_output=True, text=True)
    return Load(**json.loads(done.stdout))
