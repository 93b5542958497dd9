"""`dbt build` from `dbt_project/` with nothing but DATABASE_URL set, as a data engineer runs it:
`eval "$(cryptoflow dbt-env)"` splits the URL into the CRYPTOFLOW_PG_* variables profiles.yml
reads (the URL is parsed once, by cryptoflow.db), then plain `dbt build`."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from tests.warehouse.warehouse_support import execute

MV_OID = "select 'marts.mv_latest_market_data'::regclass::oid"


def test_dbt_build_from_the_command_line(
    warehouse_db: str, project_root: Path, tmp_path: Path
) -> None:
    facts_before = execute(warehouse_db, "select count(*) from marts.fact_market_data")[0][0]
    mv_before = execute(warehouse_db, MV_OID)[0][0]
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DATABASE_URL": warehouse_db,
        "RISK_FREE_RATE": "0.04",
        # keep the shared target/ (the code location's manifest) out of this run
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
    }
    dbt = Path(sys.executable).with_name("dbt")
    cryptoflow = Path(sys.executable).with_name("cryptoflow")

    # DATABASE_URL alone is refused, naming what is missing, rather than built into the default
    alone = subprocess.run(
        [str(dbt), "parse"],
        cwd=project_root / "dbt_project",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert alone.returncode != 0 and "CRYPTOFLOW_PG_HOST" in alone.stdout, alone.stdout[-3000:]

    started = time.monotonic()
    run = subprocess.run(
        ["/bin/bash", "-c", f'eval "$({cryptoflow} dbt-env)" && exec {dbt} build'],
        cwd=project_root / "dbt_project",
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    elapsed = time.monotonic() - started

    assert run.returncode == 0, run.stdout[-3000:]
    assert "Completed successfully" in run.stdout
    print(f"\ndbt build (CLI, full parse, 14 models + seed, 77 tests): {elapsed:.1f} s wall")
    # rerun = no duplicate facts; the MV was refreshed in place, not dropped and recreated
    assert (
        execute(warehouse_db, "select count(*) from marts.fact_market_data")[0][0] == facts_before
    )
    assert execute(warehouse_db, MV_OID)[0][0] == mv_before
    assert "refresh materialized view concurrently" in ((tmp_path / "logs" / "dbt.log").read_text())
    # RISK_FREE_RATE reached the Sharpe ratio: (mean * 365 - 0.04) / volatility
    rows = execute(
        warehouse_db,
        "select annualized_return, volatility, sharpe_ratio from analytics.analytics_volatility",
    )
    annualized, volatility, sharpe = (
        np.array(column, dtype=float) for column in zip(*rows, strict=True)
    )
    np.testing.assert_allclose(sharpe, (annualized - 0.04) / volatility, rtol=1e-9)
