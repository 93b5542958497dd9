"""Every asset check result, ours and dbt's, lands in `app.data_quality_checks` for the API.

Plain SQL on the table of `api/models.py::DataQualityCheck` (the orchestration imports nothing of
the API but its migrations: `orchestration.resources.ensure_app_tables`). Per-table scores are a
GROUP BY table_name away.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import dagster as dg
import sqlalchemy as sa

_INSERT = sa.text(
    """
    insert into app.data_quality_checks
        (run_id, check_name, table_name, status, severity, description, details)
    values
        (:run_id, :check_name, :table_name, :status, :severity, :description,
         cast(:details as jsonb))
    """
)

# History kept for the API's check list; "latest" results only read the last day of it.
_PRUNE = sa.text(
    "delete from app.data_quality_checks where checked_at < now() - make_interval(days => :days)"
)
RETENTION_DAYS = 30

CheckOutcome = dg.AssetCheckResult | dg.AssetCheckEvaluation


def _plain(value: dg.MetadataValue) -> Any:
    raw = getattr(value, "value", value)
    return json.loads(json.dumps(raw, default=str))


def check_row(run_id: str | None, outcome: CheckOutcome) -> dict[str, Any]:
    """The `app.data_quality_checks` row of one check outcome: status pass | warn | fail."""
    if outcome.asset_key is None or outcome.check_name is None:
        raise ValueError(f"check outcome without a target: {outcome!r}")
    severity = outcome.severity.value
    if outcome.passed:
        status = "pass"
    else:
        status = "warn" if outcome.severity == dg.AssetCheckSeverity.WARN else "fail"
    details = {key: _plain(value) for key, value in outcome.metadata.items()}
    return {
        "run_id": run_id,
        "check_name": outcome.check_name,
        "table_name": ".".join(outcome.asset_key.path),
        "status": status,
        "severity": severity,
        "description": outcome.description,
        "details": json.dumps(details),
    }


def record_check_outcomes(
    conn: sa.Connection, run_id: str | None, outcomes: Iterable[CheckOutcome]
) -> int:
    rows = [check_row(run_id, outcome) for outcome in outcomes]
    if rows:
        conn.execute(_INSERT, rows)
        conn.execute(_PRUNE, {"days": RETENTION_DAYS})
    return len(rows)
