"""Browser-test fixtures: the real API (serving the built dashboard) on a clone of the warehouse,
its own Redis namespace for live ticks, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import uvicorn
from playwright.sync_api import Browser, Page, Playwright, ViewportSize, expect, sync_playwright

from api.main import create_app
from cryptoflow.db import create_database, drop_database
from cryptoflow.services import free_port
from cryptoflow.settings import Settings
from tests.web.web_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    ROOT,
    WAIT_S,
    WEB,
    ConsoleWatch,
    WebStack,
    open_page,
    publish_market_prices,
    seed_pipeline_runs,
    wait_until,
)

# `CRYPTOFLOW_UPDATE_SCREENSHOTS=1 pytest tests/web` refreshes docs/screenshot-*.png; otherwise
# the screenshots are still taken (the code path stays tested) but kept out of the work tree.
UPDATE_SCREENSHOTS = os.environ.get("CRYPTOFLOW_UPDATE_SCREENSHOTS") == "1"

# `expect(...)` retries its condition for 5 s by default, regardless of the context's timeout:
# the same generous bound as every other wait of these tests.
expect.set_options(timeout=WAIT_S * 1000)


@pytest.fixture(scope="session")
def web_dist() -> Path:
    """The built dashboard; built here when `make` has not (e.g. a bare pytest run)."""
    index = WEB / "dist" / "index.html"
    sources = [p for p in (WEB / "src").rglob("*") if p.is_file()] + [WEB / "index.html"]
    if not index.is_file() or index.stat().st_mtime < max(p.stat().st_mtime for p in sources):
        npm = shutil.which("npm")
        assert npm, "npm is needed to build web/ for the browser tests"
        if not (WEB / "node_modules").is_dir():
            subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=WEB, check=True)
        subprocess.run([npm, "run", "build"], cwd=WEB, check=True, capture_output=True)
    return index.parent


class _ThreadServer(uvicorn.Server):
    def install_signal_handlers(self) -> None:
        """Signals belong to the main thread (pytest's), not to this one."""


@pytest.fixture(scope="module")
def web_stack(
    pg_server_url: str, redis_url: str, warehouse_template: Any, web_dist: Path
) -> Iterator[WebStack]:
    """The real API app, lifespan and all, under uvicorn on a free port, on its own clone of the
    warehouse and its own Redis namespace, shared by one module's tests (each uses its own user)."""
    name = f"cf_test_web_{uuid.uuid4().hex[:10]}"
    database_url = create_database(pg_server_url, name, template=warehouse_template.dbname)
    seed_pipeline_runs(database_url, warehouse_template.sim_now)
    namespace = f"cftest-{uuid.uuid4().hex[:10]}"
    settings = Settings(database_url=database_url, redis_url=redis_url, redis_namespace=namespace)
    port = free_port()
    server = _ThreadServer(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name=f"web-api:{port}", daemon=True)
    thread.start()
    client = redis.Redis.from_url(redis_url)
    try:
        wait_until(lambda: server.started, timeout_s=30, what="the API to start")
        stack = WebStack(
            base_url=f"http://127.0.0.1:{port}",
            database_url=database_url,
            redis=client,
            namespace=namespace,
        )
        publish_market_prices(stack)
        yield stack
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        for key in client.scan_iter(f"{namespace}:*"):
            client.delete(key)
        client.close()
        drop_database(pg_server_url, name)


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    assert CHROMIUM.exists(), "Debian chromium missing: run scripts/ensure-test-deps.sh"
    chromium = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def console() -> ConsoleWatch:
    return ConsoleWatch()


def _page(
    browser: Browser, stack: WebStack, console: ConsoleWatch, viewport: ViewportSize
) -> Iterator[Page]:
    page = open_page(browser, stack.base_url, console, viewport)
    yield page
    page.context.close()
    assert console.unexpected() == [], "\n".join(console.unexpected())


@pytest.fixture
def page(browser: Browser, web_stack: WebStack, console: ConsoleWatch) -> Iterator[Page]:
    """A fresh browser context at laptop size; the test fails on any unexpected console error."""
    yield from _page(browser, web_stack, console, DESKTOP)


@pytest.fixture
def phone_page(browser: Browser, web_stack: WebStack, console: ConsoleWatch) -> Iterator[Page]:
    yield from _page(browser, web_stack, console, PHONE)


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ROOT / "docs" if UPDATE_SCREENSHOTS else tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def screenshot(screenshot_dir: Path) -> Callable[[Page, str], Path]:
    def take(page: Page, name: str) -> Path:
        path = screenshot_dir / f"screenshot-{name}.png"
        page.screenshot(path=str(path), animations="disabled")
        assert path.stat().st_size > 10_000, f"{path} looks blank"
        return path

    return take
