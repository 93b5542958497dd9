"""What the dbt project decides and the other parts read from it.

`dbt_project/dbt_project.yml` owns the analytics parameters (its vars `analytics_periods` and
`correlation_top_n`): dbt reads them there, a `dbt build` by hand included, and every Python part
reads them here (the API's periods and default correlation size, the tests' reference numbers),
so the warehouse and its readers cannot disagree.
"""

from __future__ import annotations

from typing import Any

import yaml

from cryptoflow.settings import PROJECT_ROOT

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"


def project_vars() -> dict[str, Any]:
    """The `vars` of dbt_project.yml, as written (a var that dbt renders stays a jinja string)."""
    with (DBT_PROJECT_DIR / "dbt_project.yml").open() as project:
        return dict(yaml.safe_load(project)["vars"])


_VARS = project_vars()
# The trailing windows of the analytics models, in daily returns (days).
ANALYTICS_PERIODS: tuple[int, ...] = tuple(int(days) for days in _VARS["analytics_periods"])
# The correlation matrix holds the N coins highest by market cap.
CORRELATION_TOP_N: int = int(_VARS["correlation_top_n"])
# The spacing in seconds of each grain of fact_daily_ohlcv finer than a daily close.
OHLCV_GRAIN_SPACING_S: dict[str, int] = {
    grain: int(seconds) for grain, seconds in _VARS["ohlcv_grain_spacing_s"].items()
}
# close_only_check's limit: the share (%) of a coin's last 90 bars that may be close-only.
CLOSE_ONLY_MAX_PCT: float = float(_VARS["close_only_max_pct"])
