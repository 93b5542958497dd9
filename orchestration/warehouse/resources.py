"""The `dbt` resource: this repository's dbt project, pointed at one database."""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliInvocation, DbtCliResource
from dbt import version as dbt_core_version
from packaging import version
from pydantic import Field

from cryptoflow.db import dbt_env
from cryptoflow.environ import environ_overrides
from orchestration.warehouse.project import DBT_EXECUTABLE, dbt_project

PARTIAL_PARSE_FILE = "partial_parse.msgpack"


class WarehouseDbtResource(DbtCliResource):
    """dbt against `database_url`: its subprocess (and the adapter counting rows) get the URL as
    the CRYPTOFLOW_PG_* variables `profiles.yml` reads, so one resource config moves dbt."""

    database_url: str = Field(description="postgresql:// URL of the warehouse database")

    def cli(
        self, args: Sequence[str], *, env: Mapping[str, str] | None = None, **kwargs: Any
    ) -> DbtCliInvocation:
        """`dbt <args>` on this resource's database, with `env` added to dbt's environment."""
        with environ_overrides(**dbt_env(self.database_url), **(env or {})):
            return super().cli(args, **kwargs)

    # Start-up cuts (~2 s each per run, far more on a busy 2-core box). dagster-dbt asks the dbt
    # executable for its version and builds an in-process dbt adapter before every invocation;
    # the executable is the dbt-core imported here, and the adapter only serves
    # `.fetch_row_counts()`/column metadata, which the assets do not use (they count rows inline).
    # These two are the only private members of a Dagster library this repository uses:
    # dagster-dbt 0.29 has no public switch for either. Upstream: the version probe is the engine
    # detection of dagster-io/dagster#34215 (read from the importable `dbt` package, as here);
    # the adapter is the in-process one of dagster-io/dagster#33818, needed only by metadata
    # fetches. Check both again when dagster-dbt moves (tests/orchestration cover the runs).
    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(dbt_core_version.__version__)

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None

    def keep_partial_parse(self, invocation: DbtCliInvocation) -> None:
        """Promote the run's parse cache to `target/` and drop the run's own target folder.

        The cache is keyed on the connection profile: without this, every run against a database
        other than the one `dbt parse` saw would parse the whole project again.
        """
        run_target = invocation.target_path
        fresh = run_target / PARTIAL_PARSE_FILE
        if fresh.exists():
            shared = Path(self.project_dir) / "target" / PARTIAL_PARSE_FILE
            staged = shared.with_name(f".{run_target.name}.{PARTIAL_PARSE_FILE}")
            shutil.copyfile(fresh, staged)
            staged.replace(shared)
        shutil.rmtree(run_target, ignore_errors=True)


def warehouse_dbt(database_url: str | dg.EnvVar) -> WarehouseDbtResource:
    """The `dbt` resource: this repository's dbt project with this environment's dbt."""
    return WarehouseDbtResource(
        # DbtCliResource.__init__ takes a DbtProject; mypy sees only the pydantic fields (a str).
        project_dir=dbt_project,  # type: ignore[arg-type]
        database_url=database_url,
        dbt_executable=DBT_EXECUTABLE,
    )
