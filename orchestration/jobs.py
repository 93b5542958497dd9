"""Jobs of the platform, selected by asset key and group so the dbt assets join by group.

dbt models live in the groups `staging`, `marts`, `analytics` and `quality`; a job that starts
at a raw table takes everything downstream of it except the analytics and quality layers,
which run on their own cadence. Ingest steps retry (RetryPolicy) before a run fails:
CoinGecko's client already retries single calls, this covers a whole load hitting a bad minute.
"""

from __future__ import annotations

import dagster as dg

from orchestration.ingest.assets import (
    RAW_GLOBAL_MARKET,
    RAW_MARKET_CHART,
    RAW_MARKETS,
    RAW_OHLC,
)

ANALYTICS_GROUP = "analytics"
QUALITY_GROUP = "quality"
INGEST_RETRY_POLICY = dg.RetryPolicy(max_retries=2, delay=15, backoff=dg.Backoff.EXPONENTIAL)
_SEPARATE_CADENCE = dg.AssetSelection.groups(ANALYTICS_GROUP, QUALITY_GROUP)

ingest_job = dg.define_asset_job(
    "ingest_job",
    selection=dg.AssetSelection.assets(RAW_MARKETS, RAW_GLOBAL_MARKET).downstream()
    - _SEPARATE_CADENCE,
    description="The 10-minute tick: market snapshot + global totals → staging → facts → MV.",
    op_retry_policy=INGEST_RETRY_POLICY,
)

history_job = dg.define_asset_job(
    "history_job",
    selection=dg.AssetSelection.assets(RAW_MARKET_CHART, RAW_OHLC).downstream() - _SEPARATE_CADENCE,
    description=(
        "Per-coin history (market_chart + ohlc) and the daily OHLCV built on it. The first "
        "run backfills CRYPTOFLOW_HISTORY_DAYS (365); later runs fetch only what is new. "
        "Launch it from the UI to backfill."
    ),
    op_retry_policy=INGEST_RETRY_POLICY,
)

analytics_job = dg.define_asset_job(
    "analytics_job",
    selection=dg.AssetSelection.groups(ANALYTICS_GROUP),
    description="Correlation and volatility analytics over the daily closes.",
)

quality_job = dg.define_asset_job(
    "quality_job",
    selection=dg.AssetSelection.groups(QUALITY_GROUP),
    description="The data quality suite: dbt tests and our own checks, results stored for the API.",
)
