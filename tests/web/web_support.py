"""Helpers of the browser tests: the running stack's handles, console watching, sign-in."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import redis
import sqlalchemy as sa
from playwright.sync_api import Browser, ConsoleMessage, Page, ViewportSize

from cryptoflow.db import make_engine
from cryptoflow.ticks import Tick

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
]
DESKTOP: ViewportSize = {"width": 1440, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
TOKEN_KEY = "cryptoflow.token"  # where web/src/lib/session.ts keeps the bearer token


# Every wait of the browser tests is on a condition; its bound only keeps a broken page from
# hanging the suite, so it is generous: a loaded machine must not fail a correct page.
WAIT_S = 30


def wait_until(predicate: Callable[[], bool], *, timeout_s: float = WAIT_S, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")
        time.sleep(0.05)


@dataclass
class WebStack:
    """The running API + dashboard, and the handles a test needs to drive it."""

    base_url: str
    database_url: str
    redis: redis.Redis
    namespace: str

    def publish(self, *ticks: Tick) -> None:
        """What the streaming consumer does with ticks: latest-price hash, then the channel."""
        for tick in ticks:
            self.redis.hset(f"{self.namespace}:latest", tick.coin_id, tick.to_json())
        frame = b"[" + b",".join(tick.to_json() for tick in ticks) + b"]"
        self.redis.publish(f"{self.namespace}:prices", frame)

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=10)


@dataclass
class ConsoleWatch:
    """Console errors and uncaught exceptions of a page; a test may allow the ones it causes."""

    errors: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)

    def allow(self, pattern: str) -> None:
        self.allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(p.search(e) for p in self.allowed)]


def open_page(
    browser: Browser, base_url: str, console: ConsoleWatch, viewport: ViewportSize
) -> Page:
    context = browser.new_context(base_url=base_url, viewport=viewport)
    context.set_default_timeout(WAIT_S * 1000)
    page = context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            console.errors.append(f"console: {message.text} @ {message.location.get('url')}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: console.errors.append(f"pageerror: {error}"))
    return page


def seed_pipeline_runs(database_url: str, now: datetime) -> None:
    """A day of run history written with the run-status sensors' own SQL (`dg.materialize` in
    the warehouse fixture runs no sensors): every job, two pages of runs, one failure."""
    from orchestration.sensors import UPSERT_RUN

    jobs = [("ingest_job", 10, 6.5, 50), ("daily_ohlcv_job", 1440, 14.0, 50)]
    jobs += [("analytics_job", 1440, 11.2, 1900), ("quality_job", 60, 8.1, 83)]
    rows = []
    for job_name, every_min, duration_s, records in jobs:
        for i in range(min(18, 1440 // every_min)):
            started = now - timedelta(minutes=every_min * i + 1)
            failed = job_name == "ingest_job" and i == 3
            rows.append(
                {
                    "run_id": str(uuid.uuid4()),
                    "job_name": job_name,
                    "status": "FAILURE" if failed else "SUCCESS",
                    "started_at": started,
                    "ended_at": started + timedelta(seconds=duration_s),
                    "duration_s": duration_s,
                    "records_processed": None if failed else records,
                    "error_message": (
                        "step coingecko_snapshots failed: HTTP 429 after 5 tries"
                        if failed
                        else None
                    ),
                }
            )
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(UPSERT_RUN, rows)
    finally:
        engine.dispose()


def publish_market_prices(stack: WebStack) -> None:
    """One tick per coin at its warehouse price, as a running consumer keeps the latest-price
    hash filled: the header ticker has every coin, as it would in production."""
    with stack.api() as client:
        coins = client.get("/api/v1/coins", params={"per_page": 50}).json()["data"]
    stack.publish(*(new_tick(c["coin_id"], c["symbol"], c["price_usd"]) for c in coins))


def new_tick(coin_id: str, symbol: str, price: float) -> Tick:
    return Tick(coin_id=coin_id, symbol=symbol, price_usd=price, ts=datetime.now(UTC))


def sign_in(page: Page, stack: WebStack, email: str, password: str = "correct-horse-1") -> str:
    """Register through the API and put the token where the app keeps it; returns the token."""
    with stack.api() as client:
        response = client.post("/api/v1/auth/register", json={"email": email, "password": password})
        assert response.status_code == 201, response.text
        response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
    page.add_init_script(f"window.localStorage.setItem({TOKEN_KEY!r}, {token!r})")
    return token


def query_scalar(database_url: str, sql: str, **params: object) -> object:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(sql), params).scalar()
    finally:
        engine.dispose()
