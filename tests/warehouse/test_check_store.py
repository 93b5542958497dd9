"""Check results are kept for the API, and pruned past their retention as new ones land."""

from __future__ import annotations

import dagster as dg
import sqlalchemy as sa

from cryptoflow.db import make_engine
from orchestration.quality.store import RETENTION_DAYS, record_check_outcomes


def test_recording_results_prunes_those_past_retention(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("""
                insert into app.data_quality_checks (check_name, table_name, status, severity,
                    checked_at)
                values ('old', 'marts.dim_coin', 'pass', 'ERROR', now() - make_interval(days => :d)),
                       ('recent', 'marts.dim_coin', 'pass', 'ERROR', now() - interval '1 day')
            """),
            {"d": RETENTION_DAYS + 1},
        )
        outcome = dg.AssetCheckResult(
            asset_key=dg.AssetKey(["marts", "dim_coin"]),
            check_name="completeness_check",
            passed=True,
            metadata={"coins": 50},
        )
        assert record_check_outcomes(conn, "run-1", [outcome]) == 1
        names: set[str] = set(
            conn.execute(sa.text("select check_name from app.data_quality_checks")).scalars()
        )
    engine.dispose()
    assert names == {"recent", "completeness_check"}
