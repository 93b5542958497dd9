"""Open pages stay current (#14): a run's new data version reaches an open dashboard over the live
socket, without a reload or a loading flash; the header names the run that made the data; the
banner warns of a failing blocking check and of stale data, and clears when a later run is fine."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest
from playwright.sync_api import Page, expect

from cryptoflow.db import make_engine
from cryptoflow.simulator.server import RunningSimulator
from orchestration.data_versions import record_version, version_event
from orchestration.jobs import ingest_job
from orchestration.resources import WarehouseResource
from tests.warehouse.warehouse_support import ALL_ASSETS, execute, pipeline_resources
from tests.web.web_support import WebStack, query_scalar

pytestmark = pytest.mark.browser

# The contract: an event reaches every open page within this.
WITHIN_MS = 5_000

# Counts every loading placeholder that shows up in the page after it is installed (a page
# loading again after an event must keep its previous content on screen), and marks the
# document so a reload would show.
WATCH_LOADING_FLASHES = """() => {
  window.__loadingFlashes = 0;
  window.__sameDocument = true;
  new MutationObserver(() => {
    if (document.querySelector('main [role="status"]')) window.__loadingFlashes += 1;
  }).observe(document.body, { childList: true, subtree: true });
}"""


@dataclass
class Tick:
    at: datetime
    result: dg.ExecuteInProcessResult


Ingest = Callable[[], Tick]


@pytest.fixture
def ingest(web_stack: WebStack, redis_url: str, sim_server: RunningSimulator) -> Iterator[Ingest]:
    """Run the ingest job's assets on the page's database at the simulator's clock time now (a
    minute after the newest snapshot when that is later), publishing the platform events where
    the page's API listens, as the code location's runs do."""
    resources = pipeline_resources(
        web_stack.database_url,
        sim_server.base_url,
        redis_url=redis_url,
        redis_namespace=web_stack.namespace,
    )

    def run() -> Tick:
        newest = query_scalar(
            web_stack.database_url, "select max(snapshot_at) from marts.fact_market_data"
        )
        assert isinstance(newest, datetime)
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        at = max(newest + timedelta(minutes=1), now)
        sim_server.set_clock(at)
        result = dg.materialize(
            ALL_ASSETS, selection=ingest_job.selection, resources=resources, raise_on_error=False
        )
        return Tick(at=at, result=result)

    yield run


def open_dashboard(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_test_id("kpi-market-cap")).to_be_visible()
    expect(page.get_by_test_id("data-as-of")).to_be_visible()
    page.evaluate(WATCH_LOADING_FLASHES)


def assert_no_reload_nor_flash(page: Page) -> None:
    assert page.evaluate("window.__sameDocument") is True, "the page was reloaded"
    assert page.evaluate("window.__loadingFlashes") == 0, "a loading state flashed"


def utc_clock(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%H:%M")


def test_a_new_ingest_reaches_the_open_dashboard(page: Page, ingest: Ingest) -> None:
    open_dashboard(page)
    as_of = page.get_by_test_id("data-as-of")
    before = as_of.get_attribute("data-run-id")

    tick = ingest()
    assert tick.result.success
    run_id = tick.result.run_id
    assert run_id != before

    expect(as_of).to_have_attribute("data-run-id", run_id, timeout=WITHIN_MS)
    expect(as_of).to_have_text(f"Data as of {utc_clock(tick.at)} UTC")
    expect(as_of).to_have_attribute("href", re.compile(re.escape(run_id)))
    # The KPIs and the treemap were loaded again, from the new run's snapshot.
    expect(page.get_by_test_id("kpis-as-of")).to_have_attribute("data-run-id", run_id)
    expect(page.get_by_test_id("treemap-as-of")).to_have_attribute("data-run-id", run_id)
    expect(page.locator(".page-head p")).to_contain_text(f"{utc_clock(tick.at)} UTC")
    expect(page.locator('[data-chart="Market treemap"]')).to_have_attribute("data-points", "50")
    assert_no_reload_nor_flash(page)


def test_a_failing_blocking_check_shows_the_banner_until_a_clean_run(
    page: Page, ingest: Ingest, sim_server: RunningSimulator
) -> None:
    assert ingest().result.success  # fresh data: no banner to begin with
    open_dashboard(page)
    banner = page.get_by_test_id("platform-banner")
    expect(banner).to_have_count(0)

    sim_server.set_faults(missing_coin_rate=1.0)  # every markets page lacks a coin
    ingest()
    expect(banner).to_contain_text(
        "completeness_check on marts.fact_market_data", timeout=WITHIN_MS
    )
    expect(banner.get_by_role("link")).to_have_attribute("href", "/quality")

    sim_server.clear_faults()
    assert ingest().result.success
    expect(banner).to_have_count(0, timeout=WITHIN_MS)
    assert_no_reload_nor_flash(page)


def test_aged_market_data_shows_the_stale_banner(
    page: Page, ingest: Ingest, web_stack: WebStack, redis_url: str
) -> None:
    assert ingest().result.success
    open_dashboard(page)
    banner = page.get_by_test_id("platform-banner")
    expect(banner).to_have_count(0)

    # Every snapshot moved back until the newest is an hour old, recorded as a new version of the
    # market data and announced as a run would announce it.
    execute(
        web_stack.database_url,
        """
        update marts.fact_market_data set snapshot_at = snapshot_at - (
            select max(snapshot_at) - (now() - interval '1 hour') from marts.fact_market_data
        )
        """,
    )
    engine = make_engine(web_stack.database_url)
    try:
        with engine.begin() as conn:
            version = record_version(
                conn, dataset="market", run_id="aged-run", job_name="ingest_job"
            )
    finally:
        engine.dispose()
    WarehouseResource(
        database_url=web_stack.database_url,
        redis_url=redis_url,
        redis_namespace=web_stack.namespace,
    ).publish_events([version_event(version)])

    expect(banner).to_contain_text(re.compile(r"Market data is (59|60) min old"), timeout=WITHIN_MS)
    expect(page.get_by_test_id("data-as-of")).to_have_attribute("data-run-id", "aged-run")
    assert_no_reload_nor_flash(page)
