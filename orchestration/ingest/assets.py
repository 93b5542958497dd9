"""The `raw` tables as Dagster assets, loaded by dlt from CoinGecko (or the simulator).

Keys are `["raw", <table>]`, the same as the dbt sources on them, so the lineage graph runs
raw → staging → marts → analytics without a break. Each run builds a fresh dlt source (dagster-dlt
mutates a source's column hints, so a reused one fails on its second run) and a pipeline in a
throw-away folder: dlt restores its state from the destination, the one place it lives.
"""

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

import dagster as dg
import dlt as dlt_lib
from dagster_dlt import DagsterDltResource, DagsterDltTranslator, dlt_assets
from dagster_dlt.translator import DltResourceTranslatorData
from dlt.extract.source import DltSource

from cryptoflow.coingecko import CoinGeckoClient
from orchestration.ingest import HISTORY_PROGRESS_PREFIX
from orchestration.ingest.sources import Progress, coingecko_history, coingecko_snapshots
from orchestration.ingest.validation import RejectedRows
from orchestration.resources import CoinGeckoResource, WarehouseResource

# dlt phones home by default; this platform runs offline and must not wait on it.
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

RAW_DATASET = "raw"
TABLE_DESCRIPTIONS = {
    "markets": (
        "CoinGecko `/coins/markets`: the top coins by market cap with every field CoinGecko "
        "sends (price, caps, volume, supply, ATH/ATL, `roi` and 7-day sparkline as jsonb). "
        "One row per coin and CoinGecko update; merged on (id, last_updated), so reloading a "
        "snapshot adds nothing. Malformed rows are rejected and counted (`rejected_rows`)."
    ),
    "global_market": (
        "CoinGecko `/global`: total market cap and volume in USD, BTC/ETH dominance and the "
        "whole dominance map (jsonb). One row per update, merged on updated_at."
    ),
    "market_chart": (
        "CoinGecko `/coins/{id}/market_chart` per top coin: price, market cap and volume. "
        "Backfilled hourly for the last 90 days and daily before them, then incrementally at "
        "CoinGecko's finer granularity; merged on (coin_id, ts)."
    ),
    "ohlc": (
        "CoinGecko `/coins/{id}/ohlc` per top coin: open/high/low/close candles keyed by "
        "candle close `ts` (4-hour candles of the last 30 days for the backfill, then 4 h or "
        "30 min); merged on (coin_id, ts)."
    ),
}


class RawTableTranslator(DagsterDltTranslator):
    """`raw/<table>` keys and no phantom upstream assets (dagster-dlt invents one per table)."""

    def get_asset_spec(self, data: DltResourceTranslatorData) -> dg.AssetSpec:
        name = data.resource.name
        return (
            super()
            .get_asset_spec(data)
            .replace_attributes(
                key=dg.AssetKey([RAW_DATASET, name]),
                deps=[],
                description=TABLE_DESCRIPTIONS[name],
            )
            .merge_attributes(tags={"cryptoflow/layer": "raw"})
        )


def _declaring_pipeline(name: str) -> dlt_lib.Pipeline:
    """Only names the destination for the asset specs; runs use `_run_pipeline`."""
    return dlt_lib.pipeline(
        pipeline_name=name,
        destination="postgres",
        dataset_name=RAW_DATASET,
        pipelines_dir=os.path.join(tempfile.gettempdir(), "cryptoflow-dlt-definitions"),
    )


def _run_pipeline(name: str, warehouse: WarehouseResource, pipelines_dir: str) -> dlt_lib.Pipeline:
    return dlt_lib.pipeline(
        pipeline_name=name,
        destination=dlt_lib.destinations.postgres(credentials=warehouse.dlt_credentials),
        dataset_name=RAW_DATASET,
        pipelines_dir=pipelines_dir,
    )


def load_raw(
    context: dg.AssetExecutionContext,
    *,
    dlt: DagsterDltResource,
    warehouse: WarehouseResource,
    coingecko: CoinGeckoResource,
    pipeline_name: str,
    make_source: Callable[[CoinGeckoClient, RejectedRows, Progress], DltSource],
) -> Iterator[dg.MaterializeResult[Any]]:
    """Run one dlt load and add what the data engineer needs to each table's materialization."""
    rejected = RejectedRows()
    started = time.monotonic()
    with (
        coingecko.client() as client,
        tempfile.TemporaryDirectory(prefix=f"{pipeline_name}-") as pipelines_dir,
    ):

        def progress(table: str, done: int, total: int) -> None:
            context.log.info(
                f"{HISTORY_PROGRESS_PREFIX} {table} {done}/{total} coins, {client.calls} API calls"
            )

        results = list(
            dlt.run(
                context=context,
                dlt_source=make_source(client, rejected, progress),
                dlt_pipeline=_run_pipeline(pipeline_name, warehouse, pipelines_dir),
            )
        )
        api_calls = client.calls
    duration_s = round(time.monotonic() - started, 3)
    if rejected.counts:
        context.log.warning(
            f"rejected {sum(rejected.counts.values())} malformed rows: {dict(rejected.counts)}; "
            f"first: {rejected.samples[0]}"
        )
    for result in results:
        assert result.asset_key is not None
        table = result.asset_key.path[-1]
        metadata = dict(result.metadata or {})
        rows_loaded = metadata.get("rows_loaded")
        yield dg.MaterializeResult(
            asset_key=result.asset_key,
            metadata={
                **metadata,
                "rows_loaded": dg.MetadataValue.int(
                    (rows_loaded.value or 0) if isinstance(rows_loaded, dg.IntMetadataValue) else 0
                ),
                "rejected_rows": dg.MetadataValue.int(rejected.counts[table]),
                "rejected_samples": dg.MetadataValue.json(
                    [s for s in rejected.samples if s.startswith(f"{table} ")]
                ),
                "api_calls": dg.MetadataValue.int(api_calls),
                "duration_s": dg.MetadataValue.float(duration_s),
            },
        )


def _raw_assets(
    name: str,
    source: Callable[..., DltSource],
    options: Callable[[CoinGeckoResource], dict[str, int]],
    description: str,
    *,
    reports_progress: bool = False,
) -> dg.AssetsDefinition:
    """The assets of one dlt source, loaded by `load_raw` with the source built per run from
    `source(client, rejected=..., **options(coingecko))` (and `progress=...` when the source
    `reports_progress`); `description` is the op's."""

    def assets(
        context: dg.AssetExecutionContext,
        dlt: DagsterDltResource,
        warehouse: WarehouseResource,
        coingecko: CoinGeckoResource,
    ) -> Iterator[dg.MaterializeResult[Any]]:
        yield from load_raw(
            context,
            dlt=dlt,
            warehouse=warehouse,
            coingecko=coingecko,
            pipeline_name=name,
            make_source=lambda client, rejected, progress: source(
                client,
                rejected=rejected,
                **options(coingecko),
                **({"progress": progress} if reports_progress else {}),
            ),
        )

    assets.__doc__ = description
    return dlt_assets(
        dlt_source=source(),
        dlt_pipeline=_declaring_pipeline(name),
        name=name,
        group_name="ingest",
        dagster_dlt_translator=RawTableTranslator(),
    )(assets)


coingecko_snapshot_assets = _raw_assets(
    "coingecko_snapshots",
    coingecko_snapshots,
    lambda coingecko: {"top_n": coingecko.top_n},
    "The 10-minute snapshot: `raw.markets` and `raw.global_market`.",
)
coingecko_history_assets = _raw_assets(
    "coingecko_history",
    coingecko_history,
    lambda coingecko: {"top_n": coingecko.top_n, "history_days": coingecko.history_days},
    "Per-coin history: `raw.market_chart` and `raw.ohlc` (backfill, then incremental).",
    reports_progress=True,
)


RAW_MARKETS = dg.AssetKey([RAW_DATASET, "markets"])
RAW_GLOBAL_MARKET = dg.AssetKey([RAW_DATASET, "global_market"])
