"""Jobs of the platform: each raw load plus the warehouse models that follow it.

The warehouse selections (orchestration/warehouse/selections.py) say which dbt models each
cadence refreshes; the jobs add the raw tables that feed them. Ingest jobs carry a RetryPolicy:
the CoinGecko client already retries single calls, this covers a whole load (or the dbt build
after it) hitting a bad minute before the run is recorded as failed.
"""

from __future__ import annotations

import dagster as dg

from orchestration.ingest.assets import RAW_GLOBAL_MARKET, RAW_MARKETS
from orchestration.warehouse.selections import after_ingest_selection, analytics_selection

INGEST_RETRY_POLICY = dg.RetryPolicy(max_retries=2, delay=15, backoff=dg.Backoff.EXPONENTIAL)

ingest_job = dg.define_asset_job(
    "ingest_job",
    # the raw tables' own (source) tests run hourly in quality_job, like every test the MV does
    # not need to pass first
    selection=dg.AssetSelection.assets(RAW_MARKETS, RAW_GLOBAL_MARKET).without_checks()
    | after_ingest_selection,
    description="The 10-minute tick: market snapshot + global totals → staging → facts → MV, "
    "with the checks that must pass before the MV refreshes.",
    op_retry_policy=INGEST_RETRY_POLICY,
)

history_job = dg.define_asset_job(
    "history_job",
    selection=dg.AssetSelection.all() - analytics_selection,
    description=(
        "Per-coin history (market_chart + ohlc), the daily OHLCV bars built on it and every "
        "table they or their tests read: the whole warehouse but analytics, so it also works "
        "first on an empty one. The first run backfills CRYPTOFLOW_HISTORY_DAYS (365); later "
        "runs fetch only what is new. Launch it from the UI to backfill."
    ),
    op_retry_policy=INGEST_RETRY_POLICY,
)

analytics_job = dg.define_asset_job(
    "analytics_job",
    selection=analytics_selection,
    description="Correlation and volatility analytics over the daily closes.",
)

everything_job = dg.define_asset_job(
    "everything_job",
    selection=dg.AssetSelection.all(),
    description="The whole graph: every raw load (the history backfill on an empty warehouse), "
    "the dbt build and every check. `cryptoflow up` launches it for the first materialization.",
)

quality_job = dg.define_asset_job(
    "quality_job",
    selection=dg.AssetSelection.all_asset_checks(),
    description="Every asset check, hourly: every dbt test (source and staging tests included; "
    "the tick runs only those the MV needs), among them the six quality checks "
    "(freshness, completeness, schema, anomaly, referential integrity, OHLCV consistency); "
    "results land in app.data_quality_checks.",
)
