"""dbt models as Dagster assets, dbt tests as their asset checks (results logged for the API)."""

from collections.abc import Iterator
from typing import Any

import dagster as dg
import sqlalchemy as sa
from dagster_dbt import DbtCliInvocation, dbt_assets

from orchestration.data_versions import check_events, dataset_of, record_version, version_event
from orchestration.quality.store import CheckOutcome, record_check_outcomes
from orchestration.quality.verdicts import explained
from orchestration.resources import CoinGeckoResource, WarehouseResource
from orchestration.warehouse.project import dbt_project
from orchestration.warehouse.resources import WarehouseDbtResource
from orchestration.warehouse.translator import WarehouseDbtTranslator


def _with_row_count(conn: sa.Connection, invocation: DbtCliInvocation, event: Any) -> Any:
    """Attach `dagster/row_count` to a built table's output.

    Counted inline rather than with `.fetch_row_counts()`: its thread pool busy-waits on dbt's
    output and took a whole core from dbt on this 2-core machine (dbt step 35 s instead of 15 s).
    Views are not counted (that would run their query).
    """
    if not isinstance(event, dg.Output) or "unique_id" not in event.metadata:
        return event
    node = invocation.manifest["nodes"].get(event.metadata["unique_id"].value)
    if node is None or node["config"]["materialized"] == "view":
        return event
    # schema + alias, not the manifest's relation_name: that names the database of `dbt parse`
    relation = f'"{node["schema"]}"."{node["alias"]}"'
    row_count: int = conn.execute(sa.text(f"select count(*) from {relation}")).scalar_one()
    return event.with_metadata({**event.metadata, "dagster/row_count": row_count})


def unselected_tests(context: dg.AssetExecutionContext) -> list[str]:
    """`--exclude` operands for every test of the project whose check this run did not select, so
    that dbt runs exactly the selected ones (the tick leaves most to the hourly quality job).

    Without them dbt runs more: a subset build selects tests by FQN, and dagster-dbt adds the
    tests of every asset upstream of the selected models (the raw tables' source tests in the
    tick), selected or not, reporting no check for them. The FQN of a generic test is project,
    folder and test name, and ours repeat their names across models (`schema_check` on every
    published table): selecting one selects them all. So a test goes by its name when that is
    unique among the selected ones, else by its name and the node it tests (`<name>,<node>+1`:
    the tests of that name among the node's children).
    """
    assets_def = context.assets_def
    produced = set(assets_def.node_keys_by_output_name.values())
    selected = context.selected_asset_check_keys
    specs = list(assets_def.node_check_specs_by_output_name.values())
    selected_names = {spec.name for spec in specs if spec.key in selected}
    excluded: set[str] = set()
    for spec in specs:
        if spec.key in selected:
            continue
        if spec.name not in selected_names:
            excluded.add(spec.name)
        elif spec.asset_key in produced:
            excluded.add(f"{spec.name},{spec.asset_key.path[-1]}+1")
        else:  # a source: `raw/<table>` (WarehouseDbtTranslator)
            excluded.add(f"{spec.name},source:{'.'.join(spec.asset_key.path)}+1")
    return sorted(excluded)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=WarehouseDbtTranslator(),
    name="warehouse_dbt_assets",
)
def warehouse_dbt_assets(
    context: dg.AssetExecutionContext,
    dbt: WarehouseDbtResource,
    warehouse: WarehouseResource,
    coingecko: CoinGeckoResource,
) -> Iterator[Any]:
    """The dbt star schema: staging views, marts, the latest-market MV and analytics.

    One `dbt build` per run for whatever subset the job selects (models, their tests as checks).
    The completeness test expects as many coins per load as the ingest requests: its top_n.
    """
    skipped = unselected_tests(context)
    invocation = dbt.cli(
        ["build", *(["--exclude", " ".join(skipped)] if skipped else [])],
        context=context,
        env={"CRYPTOFLOW_TOP_N": str(coingecko.top_n)},
    )
    outcomes: list[CheckOutcome] = []
    changed: set[str] = set()  # the served datasets this build rewrote
    engine = warehouse.engine()
    try:
        with engine.connect() as conn:
            for event in invocation.stream():
                if isinstance(event, dg.AssetCheckResult):
                    event = explained(conn, invocation.manifest, event)
                if isinstance(event, dg.AssetCheckResult | dg.AssetCheckEvaluation):
                    outcomes.append(event)
                if isinstance(event, dg.Output):
                    dataset = dataset_of(context.asset_key_for_output(event.output_name))
                    if dataset is not None:
                        changed.add(dataset)
                yield _with_row_count(conn, invocation, event)
                conn.rollback()
    finally:
        _record(context, warehouse, outcomes, changed)
        engine.dispose()
        dbt.keep_partial_parse(invocation)


def _record(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    outcomes: list[CheckOutcome],
    changed: set[str],
) -> None:
    """Store the check results and a version of each changed dataset, then tell every API.

    Also after a failed build: what it did rewrite is served, so it is versioned too.
    """
    run = context.run
    datasets = sorted(changed | ({"quality"} if outcomes else set()))
    engine = warehouse.engine()
    try:
        with engine.begin() as conn:
            record_check_outcomes(conn, run.run_id, outcomes)
            versions = [
                record_version(conn, dataset=dataset, run_id=run.run_id, job_name=run.job_name)
                for dataset in datasets
            ]
    finally:
        engine.dispose()
    for version in versions:
        context.log.info(
            f"data version {version['version']} of {version['dataset']}: as of {version['as_of']}"
        )
    warehouse.publish_events(
        [version_event(version) for version in versions] + check_events(run.run_id, outcomes)
    )
