"""Our quality checks are dbt tests that return a verdict row; this makes the row the check.

dbt owns every data rule (`dbt_project/tests/generic/`). A test configured by
`macros/quality_check.sql` returns one row (`passed`, `description` and the numbers behind them)
that dbt stores in `dbt_test__audit.<alias>`. dagster-dbt reports such a test like any other (pass
or fail and a failure count); this adds the row's description and numbers to the check, so the
Dagster UI and the Quality page say *why*, and grades a failure with the test's
`meta.quality_check.grade`: checks that must not stop the build run as dbt warnings, yet are
errors when they fail.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import dagster as dg
import sqlalchemy as sa

VERDICT_COLUMNS = ("passed", "description")
_GRADES = {"error": dg.AssetCheckSeverity.ERROR, "warn": dg.AssetCheckSeverity.WARN}


def _metadata_value(value: Any) -> Any:
    """A stored value as Dagster metadata: numbers as float/int, arrays and jsonb as JSON."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | dict):
        return dg.MetadataValue.json(json.loads(json.dumps(value, default=str)))
    return value


def explained(
    conn: sa.Connection, manifest: Mapping[str, Any], result: dg.AssetCheckResult
) -> dg.AssetCheckResult:
    """`result` with its verdict row's description and numbers, graded; other tests unchanged."""
    unique_id = result.metadata.get("unique_id")
    node = manifest["nodes"].get(getattr(unique_id, "value", None)) or {}
    quality_check = node.get("config", {}).get("meta", {}).get("quality_check")
    if quality_check is None:
        return result
    relation = f'"{node["schema"]}"."{node["alias"]}"'
    row = conn.execute(sa.text(f"select * from {relation}")).mappings().one()
    details = {
        key: _metadata_value(value) for key, value in row.items() if key not in VERDICT_COLUMNS
    }
    return dg.AssetCheckResult(
        passed=result.passed,
        asset_key=result.asset_key,
        check_name=result.check_name,
        severity=_GRADES[quality_check["grade"]],
        description=row["description"],
        metadata={**result.metadata, **details},
    )
