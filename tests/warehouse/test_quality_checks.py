"""Each of the seven quality checks (dbt tests surfaced as Dagster checks) passes on healthy data
and fails, saying why, when its condition is broken."""

from __future__ import annotations

import pytest

from orchestration.resources import CoinGeckoResource
from tests.warehouse.warehouse_support import execute, run_quality_checks

OUR_CHECKS = {
    "freshness_check",
    "completeness_check",
    "schema_check",
    "anomaly_check",
    "referential_integrity_check",
    "ohlcv_consistency_check",
    "close_only_check",
}

BREAKAGES = {
    "stale data": (
        # every fact 800 days older: the newest is far beyond the 30-minute limit
        "update marts.fact_market_data set snapshot_at = snapshot_at - interval '800 days'",
        ("marts.fact_market_data", "freshness_check"),
    ),
    "missing coin": (
        "delete from marts.fact_market_data where coin_id = 'solana' and source = 'snapshot' "
        "and loaded_at = (select max(loaded_at) from marts.fact_market_data)",
        ("marts.fact_market_data", "completeness_check"),
    ),
    "dropped column": (
        "alter table marts.fact_daily_ohlcv drop column volume",
        ("marts.fact_daily_ohlcv", "schema_check"),
    ),
    "10x price spike": (
        "insert into marts.fact_market_data (coin_id, snapshot_at, price_usd, source, loaded_at) "
        "select coin_id, snapshot_at + interval '10 minutes', price_usd * 10, 'snapshot', "
        "loaded_at from marts.fact_market_data where coin_id = 'bitcoin' "
        "order by snapshot_at desc limit 1",
        ("marts.fact_market_data", "anomaly_check"),
    ),
    "orphan fact": (
        "insert into marts.fact_market_data (coin_id, snapshot_at, price_usd, source, loaded_at) "
        "values ('not-a-coin', '2025-01-01T00:00:00Z', 1.0, 'history', '2025-01-01T00:00:00Z')",
        ("marts.fact_market_data", "referential_integrity_check"),
    ),
    "high below low": (
        "update marts.fact_daily_ohlcv set high = low * 0.5 "
        "where coin_id = 'ethereum' and date_day = (select max(date_day) from marts.fact_daily_ohlcv)",
        ("marts.fact_daily_ohlcv", "ohlcv_consistency_check"),
    ),
    "hourly bar from 3 points": (
        # a whole day cannot be hourly on 3 points (12 needed: half of its 24 hours)
        "update marts.fact_daily_ohlcv set points = 3 where coin_id = 'ethereum' "
        "and date_day = (select max(date_day) - 5 from marts.fact_daily_ohlcv)",
        ("marts.fact_daily_ohlcv", "ohlcv_consistency_check"),
    ),
    "close-only days": (
        # a fifth of bitcoin's last 90 days without a range: a warning, not a failure
        "update marts.fact_daily_ohlcv set grain = 'daily_close' where coin_id = 'bitcoin' "
        "and date_day > (select max(date_day) - 18 from marts.fact_daily_ohlcv)",
        ("marts.fact_daily_ohlcv", "close_only_check"),
    ),
}


def _make_current(database_url: str) -> None:
    """Shift every market fact so the newest is now: the session's template may have been built
    more than the freshness limit ago. Two steps (far back, then forward) so no row ever lands on
    another's (coin_id, snapshot_at) midway through the update."""
    (age,) = execute(database_url, "select now() - max(snapshot_at) from marts.fact_market_data")[0]
    execute(
        database_url,
        "update marts.fact_market_data set snapshot_at = snapshot_at - interval '1000 days'",
    )
    execute(
        database_url,
        "update marts.fact_market_data set snapshot_at = snapshot_at + interval '1000 days' + :age",
        age=age,
    )


def test_all_checks_pass_on_healthy_data(warehouse_db: str) -> None:
    _make_current(warehouse_db)

    results = run_quality_checks(warehouse_db)

    assert {name for _, name in results} == OUR_CHECKS
    failed = {key: result.description for key, result in results.items() if not result.passed}
    assert failed == {}
    # schema and referential integrity are per table: one result for each table they cover
    assert sum(name == "schema_check" for _, name in results) == 8
    assert {table for table, name in results if name == "referential_integrity_check"} == {
        "marts.fact_market_data",
        "marts.fact_coin_sparkline",
        "marts.fact_daily_ohlcv",
        "marts.fact_price_hourly",
        "marts.fact_price_daily",
        "analytics.analytics_volatility",
        "analytics.analytics_correlation",
    }


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_check_fails_when_its_condition_is_broken(warehouse_db: str, breakage: str) -> None:
    sql, target = BREAKAGES[breakage]
    execute(warehouse_db, sql)

    results = run_quality_checks(warehouse_db)

    assert results[target].passed is False, results[target].description
    recorded = execute(
        warehouse_db,
        "select status, severity, description, details from app.data_quality_checks "
        "where table_name = :table and check_name = :check order by id desc limit 1",
        table=target[0],
        check=target[1],
    )
    status, severity, description, details = recorded[0]
    assert status == ("warn" if severity == "WARN" else "fail")
    assert description == results[target].description
    assert details  # the metadata explaining the result travels with it


def test_completeness_expects_the_configured_top_n(warehouse_db: str) -> None:
    # the warehouse holds 50 coins; an ingest configured for 49 makes the newest load incomplete
    coingecko = CoinGeckoResource(base_url="http://127.0.0.1:9/api/v3", top_n=49)

    results = run_quality_checks(warehouse_db, coingecko)

    completeness = results[("marts.fact_market_data", "completeness_check")]
    assert completeness.passed is False
    assert completeness.description == "50 of 49 coins in the newest snapshot"
