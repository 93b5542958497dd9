"""Six quality checks of our own on the marts, each recorded in `app.data_quality_checks`.

They complement the dbt tests (which Dagster also shows as checks): these look at the data as
a whole — how old it is, whether every coin arrived, whether the API's columns exist, whether a
price jumped implausibly, whether facts point at known coins, whether daily bars are coherent.
"""

import math
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

import dagster as dg
import sqlalchemy as sa

from orchestration.quality.store import record_check_outcomes
from orchestration.resources import CoinGeckoResource, WarehouseResource

MARKET_DATA = dg.AssetKey(["marts", "fact_market_data"])
DAILY_OHLCV = dg.AssetKey(["marts", "fact_daily_ohlcv"])

# Three missed 10-minute ingests in a row.
FRESHNESS_MAX_AGE = timedelta(minutes=30)
# Robust z-score (median and 1.4826 * MAD of the coin's daily returns) above which a price jump is
# an anomaly: a Gaussian move this large essentially never happens, a bad tick does.
ANOMALY_Z_THRESHOLD = 8.0
ANOMALY_LOOKBACK_DAYS = 30
ANOMALY_MIN_RETURNS = 7

# The columns the API, the docs and the checks rely on: each table's published names and grain,
# plus the extras the API reads. A renamed column fails this check before it breaks a page.
EXPECTED_COLUMNS: dict[tuple[str, str], tuple[str, ...]] = {
    ("marts", "dim_coin"): (
        "coin_id", "symbol", "name", "image_url", "market_cap_rank", "category",
    ),
    ("marts", "dim_time"): (
        "date_day", "year", "quarter", "month", "week", "day_of_week", "is_weekend",
    ),
    ("marts", "fact_market_data"): (
        "coin_id", "snapshot_at", "price_usd", "market_cap_usd", "volume_24h_usd",
        "price_change_24h_pct", "circulating_supply",
    ),
    ("marts", "fact_daily_ohlcv"): (
        "coin_id", "date_day", "open", "high", "low", "close", "volume",
    ),
    ("marts", "fact_global_market"): (
        "snapshot_at", "total_market_cap_usd", "total_volume_24h_usd", "btc_dominance_pct",
        "eth_dominance_pct", "market_cap_change_24h_pct", "active_cryptocurrencies",
    ),
    ("marts", "mv_latest_market_data"): (
        "coin_id", "symbol", "name", "image_url", "market_cap_rank", "category", "snapshot_at",
        "price_usd", "market_cap_usd", "volume_24h_usd", "price_change_1h_pct",
        "price_change_24h_pct", "price_change_7d_pct", "high_24h_usd", "low_24h_usd",
        "circulating_supply", "total_supply", "max_supply", "ath_usd", "sparkline_7d",
    ),
    ("analytics", "analytics_correlation"): (
        "coin_a_id", "coin_b_id", "period_days", "correlation", "computed_at",
    ),
    ("analytics", "analytics_volatility"): (
        "coin_id", "period_days", "volatility", "max_drawdown", "sharpe_ratio", "computed_at",
    ),
}  # fmt: skip

# Facts whose coin_id must exist in dim_coin.
COIN_FACTS: tuple[tuple[str, str, str], ...] = (
    ("marts", "fact_market_data", "coin_id"),
    ("marts", "fact_daily_ohlcv", "coin_id"),
    ("analytics", "analytics_volatility", "coin_id"),
    ("analytics", "analytics_correlation", "coin_a_id"),
)


def _recorded(
    context: dg.AssetCheckExecutionContext,
    warehouse: WarehouseResource,
    outcomes: Iterable[dg.AssetCheckResult],
) -> list[dg.AssetCheckResult]:
    # a single check's result may leave its target implicit; the log needs it spelled out
    only_key = next(iter(context.selected_asset_check_keys))
    results = [
        result
        if result.asset_key is not None
        else dg.AssetCheckResult(  # the public constructor, every field carried over
            passed=result.passed,
            asset_key=only_key.asset_key,
            check_name=only_key.name,
            metadata=result.metadata,
            severity=result.severity,
            description=result.description,
        )
        for result in outcomes
    ]
    with warehouse.engine().begin() as conn:
        record_check_outcomes(conn, context.run.run_id, results)
    return results


@dg.asset_check(
    asset=MARKET_DATA,
    description=f"The newest market data is at most {FRESHNESS_MAX_AGE} old (three 10-minute ingests).",
)
def freshness_check(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    newest: datetime | None
    age: timedelta | None
    with warehouse.engine().begin() as conn:
        row = conn.execute(
            sa.text("select max(snapshot_at), now() - max(snapshot_at) from marts.fact_market_data")
        ).one()
        newest, age = row[0], row[1]
    passed = age is not None and age <= FRESHNESS_MAX_AGE
    age_minutes = None if age is None else round(age.total_seconds() / 60, 1)
    result = dg.AssetCheckResult(
        passed=passed,
        severity=dg.AssetCheckSeverity.ERROR,
        description=(
            f"newest snapshot is {age_minutes} min old (limit {FRESHNESS_MAX_AGE.total_seconds() / 60:.0f} min)"
            if age is not None
            else "fact_market_data is empty"
        ),
        metadata={
            "newest_snapshot_at": str(newest),
            "age_minutes": age_minutes,
            "max_age_minutes": FRESHNESS_MAX_AGE.total_seconds() / 60,
        },
    )
    return _recorded(context, warehouse, [result])[0]


@dg.asset_check(
    asset=MARKET_DATA,
    description="The newest /coins/markets load holds every configured top-N coin.",
)
def completeness_check(
    context: dg.AssetCheckExecutionContext,
    warehouse: WarehouseResource,
    coingecko: CoinGeckoResource,
) -> dg.AssetCheckResult:
    expected = coingecko.top_n  # the N the ingest loads
    found: int
    loaded_at: datetime | None
    with warehouse.engine().begin() as conn:
        row = conn.execute(
            sa.text(
                """
                select count(distinct coin_id), max(loaded_at)
                from marts.fact_market_data
                where source = 'snapshot' and loaded_at = (
                    select max(loaded_at) from marts.fact_market_data where source = 'snapshot'
                )
                """
            )
        ).one()
        found, loaded_at = row[0], row[1]
        missing_coins: list[str] = list(
            conn.execute(
                sa.text(
                    """
                    select coin_id from marts.dim_coin
                    where coin_id not in (
                        select coin_id from marts.fact_market_data
                        where source = 'snapshot' and loaded_at = :loaded_at
                    )
                    order by market_cap_rank nulls last
                    limit 20
                    """
                ),
                {"loaded_at": loaded_at},
            ).scalars()
        )
    result = dg.AssetCheckResult(
        passed=found == expected,
        severity=dg.AssetCheckSeverity.ERROR,
        description=f"{found} of {expected} coins in the newest snapshot",
        metadata={
            "expected_coins": expected,
            "found_coins": found,
            "newest_load_at": str(loaded_at),
            "known_coins_not_in_newest_load": missing_coins,
        },
    )
    return _recorded(context, warehouse, [result])[0]


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            "schema_check",
            asset=dg.AssetKey([schema, table]),
            description="Every column the API and the docs rely on exists.",
        )
        for schema, table in EXPECTED_COLUMNS
    ],
    can_subset=True,
)
def schema_check(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.AssetCheckResult]:
    selected = {key.asset_key for key in context.selected_asset_check_keys}
    results = []
    with warehouse.engine().begin() as conn:
        for (schema, table), expected in EXPECTED_COLUMNS.items():
            key = dg.AssetKey([schema, table])
            if key not in selected:
                continue
            # pg_attribute, not information_schema: it also lists materialized views' columns
            present: set[str] = set(
                conn.execute(
                    sa.text(
                        """
                        select attname from pg_attribute
                        where attrelid = to_regclass(:relation) and attnum > 0
                            and not attisdropped
                        """
                    ),
                    {"relation": f"{schema}.{table}"},
                ).scalars()
            )
            missing = [column for column in expected if column not in present]
            results.append(
                dg.AssetCheckResult(
                    asset_key=key,
                    check_name="schema_check",
                    passed=not missing,
                    severity=dg.AssetCheckSeverity.ERROR,
                    description=(
                        f"missing columns: {', '.join(missing)}"
                        if present
                        else f"{schema}.{table} does not exist"
                    )
                    if missing
                    else f"all {len(expected)} expected columns present",
                    metadata={"missing_columns": missing, "expected_columns": list(expected)},
                )
            )
    yield from _recorded(context, warehouse, results)


@dg.asset_check(
    asset=MARKET_DATA,
    description=(
        f"No coin's newest price jump has a robust z-score above {ANOMALY_Z_THRESHOLD:g} "
        f"against its daily returns of the last {ANOMALY_LOOKBACK_DAYS} days."
    ),
)
def anomaly_check(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    with warehouse.engine().begin() as conn:
        rows = conn.execute(
            sa.text(
                """
                with recent as (
                    select coin_id, snapshot_at, price_usd
                    from marts.fact_market_data
                    where price_usd > 0 and snapshot_at > (
                        select max(snapshot_at) from marts.fact_market_data
                    ) - make_interval(days => :lookback_days + 1)
                ),
                daily_closes as (
                    select distinct on (coin_id, (snapshot_at at time zone 'utc')::date)
                        coin_id, (snapshot_at at time zone 'utc')::date as date_day, price_usd
                    from recent
                    order by coin_id, (snapshot_at at time zone 'utc')::date, snapshot_at desc
                ),
                daily_returns as (
                    select coin_id, ln(price_usd / lag(price_usd) over (
                        partition by coin_id order by date_day)) as daily_return
                    from daily_closes
                ),
                medians as (
                    select coin_id,
                        percentile_cont(0.5) within group (order by daily_return) as median_return,
                        count(daily_return) as return_count
                    from daily_returns where daily_return is not null
                    group by coin_id
                ),
                spreads as (
                    select daily_returns.coin_id, medians.median_return, medians.return_count,
                        1.4826 * percentile_cont(0.5) within group (
                            order by abs(daily_return - medians.median_return)) as robust_sd
                    from daily_returns
                    inner join medians on daily_returns.coin_id = medians.coin_id
                    where daily_return is not null
                    group by 1, 2, 3
                ),
                newest_jumps as (
                    select coin_id, snapshot_at, ln(price_usd / previous_price) as jump
                    from (
                        select *,
                            lag(price_usd) over by_time as previous_price,
                            row_number() over (partition by coin_id order by snapshot_at desc)
                                as recency
                        from recent
                        window by_time as (partition by coin_id order by snapshot_at)
                    ) as ordered
                    where recency = 1 and previous_price is not null
                )
                select newest_jumps.coin_id, newest_jumps.snapshot_at, newest_jumps.jump,
                    (newest_jumps.jump - spreads.median_return) / spreads.robust_sd as z_score
                from newest_jumps
                inner join spreads on newest_jumps.coin_id = spreads.coin_id
                where spreads.return_count >= :min_returns and spreads.robust_sd > 0
                order by abs((newest_jumps.jump - spreads.median_return) / spreads.robust_sd) desc
                """
            ),
            {"lookback_days": ANOMALY_LOOKBACK_DAYS, "min_returns": ANOMALY_MIN_RETURNS},
        ).all()
    anomalies = [row for row in rows if abs(row.z_score) > ANOMALY_Z_THRESHOLD]
    worst = rows[0] if rows else None
    result = dg.AssetCheckResult(
        passed=not anomalies,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"{len(anomalies)} of {len(rows)} coins jumped implausibly"
            + (f" (worst {worst.coin_id}, z = {worst.z_score:.1f})" if worst else "")
        ),
        metadata={
            "z_threshold": ANOMALY_Z_THRESHOLD,
            "coins_scored": len(rows),
            "max_abs_z": abs(worst.z_score) if worst else None,
            "anomalies": [
                {
                    "coin_id": row.coin_id,
                    "snapshot_at": str(row.snapshot_at),
                    "price_ratio": round(math.exp(row.jump), 6),
                    "z_score": round(row.z_score, 2),
                }
                for row in anomalies[:20]
            ],
        },
    )
    return _recorded(context, warehouse, [result])[0]


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            "referential_integrity_check",
            asset=dg.AssetKey([schema, table]),
            description=f"Every {column} of {table} exists in dim_coin.",
        )
        for schema, table, column in COIN_FACTS
    ],
    can_subset=True,
)
def referential_integrity_check(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.AssetCheckResult]:
    selected = {key.asset_key for key in context.selected_asset_check_keys}
    results = []
    with warehouse.engine().begin() as conn:
        for schema, table, column in COIN_FACTS:
            key = dg.AssetKey([schema, table])
            if key not in selected:
                continue
            orphans = conn.execute(
                sa.text(
                    f"""
                    select facts.{column} as coin_id, count(*) as row_count
                    from {schema}.{table} as facts
                    left join marts.dim_coin as coins on facts.{column} = coins.coin_id
                    where coins.coin_id is null
                    group by 1 order by 2 desc
                    """
                )
            ).all()
            orphan_rows = sum(row.row_count for row in orphans)
            results.append(
                dg.AssetCheckResult(
                    asset_key=key,
                    check_name="referential_integrity_check",
                    passed=not orphans,
                    severity=dg.AssetCheckSeverity.ERROR,
                    description=f"{orphan_rows} rows of {table} point at {len(orphans)} unknown coins",
                    metadata={
                        "orphan_rows": orphan_rows,
                        "unknown_coins": [row.coin_id for row in orphans[:20]],
                    },
                )
            )
    yield from _recorded(context, warehouse, results)


@dg.asset_check(
    asset=DAILY_OHLCV,
    description="Every daily bar has positive prices with low ≤ open, close ≤ high.",
)
def ohlcv_consistency_check(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    total: int
    bad: int
    with warehouse.engine().begin() as conn:
        row = conn.execute(
            sa.text(
                """
                select count(*), count(*) filter (where not coalesce(
                    low > 0 and low <= open and low <= close and open <= high and close <= high,
                    false))
                from marts.fact_daily_ohlcv
                """
            )
        ).one()
        total, bad = row[0], row[1]
        examples = conn.execute(
            sa.text(
                """
                select coin_id, date_day::text as date_day, open, high, low, close
                from marts.fact_daily_ohlcv
                where not coalesce(
                    low > 0 and low <= open and low <= close and open <= high and close <= high,
                    false)
                order by date_day desc limit 10
                """
            )
        ).mappings()
        bad_examples = [dict(row) for row in examples]
    result = dg.AssetCheckResult(
        passed=bad == 0,
        severity=dg.AssetCheckSeverity.ERROR,
        description=f"{bad} of {total} daily bars are inconsistent",
        metadata={"checked_rows": total, "inconsistent_rows": bad, "examples": bad_examples},
    )
    return _recorded(context, warehouse, [result])[0]


quality_checks = [
    freshness_check,
    completeness_check,
    schema_check,
    anomaly_check,
    referential_integrity_check,
    ohlcv_consistency_check,
]
