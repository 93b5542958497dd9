"""Where the dbt project lives; `dbt parse` must have written its manifest before import."""

from __future__ import annotations

import fcntl
import os
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject, DbtProjectPreparer

from cryptoflow.db import dbt_env
from cryptoflow.dbt_project import DBT_PROJECT_DIR
from cryptoflow.environ import environ_overrides

# The dbt of this interpreter's environment: Dagster processes need not have the venv on PATH.
_VENV_DBT = Path(sys.executable).with_name("dbt")
DBT_EXECUTABLE = str(_VENV_DBT) if _VENV_DBT.exists() else "dbt"
# What dbt writes in the project folder; everything else is the project's source.
_DBT_OUTPUT_DIRS = {"target", "logs", "dbt_packages"}


def newest_source_mtime(project_dir: Path) -> float:
    newest = 0.0
    for folder, subfolders, files in os.walk(project_dir):
        if Path(folder) == project_dir:
            subfolders[:] = [name for name in subfolders if name not in _DBT_OUTPUT_DIRS]
        for name in files:
            newest = max(newest, (Path(folder) / name).stat().st_mtime)
    return newest


def manifest_is_fresh(project: DbtProject) -> bool:
    manifest = project.manifest_path
    return manifest.exists() and manifest.stat().st_mtime >= newest_source_mtime(
        project.project_dir
    )


class _PreparerWithOurDbt(DbtProjectPreparer):
    """Dagster's dev-time preparation, on its public preparer interface: under `dagster dev` each
    process loading the code location (the code server, every run) parses the project first, to
    pick up edits. Ours parses only when a project file changed since the manifest was written (a
    parse costs seconds per run), with DBT_EXECUTABLE instead of the `dbt` on PATH and with the
    CRYPTOFLOW_PG_* variables of DATABASE_URL (profiles.yml refuses DATABASE_URL alone); one
    process at a time, the others then find the manifest fresh."""

    def prepare_if_dev(self, project: DbtProject) -> None:
        if self.using_dagster_dev():
            self.prepare(project)

    def prepare(self, project: DbtProject) -> None:
        if manifest_is_fresh(project):
            return
        manifest = project.manifest_path
        manifest.parent.mkdir(parents=True, exist_ok=True)
        database_url = os.environ.get("DATABASE_URL")
        with manifest.with_suffix(".concurrent-update-lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if manifest_is_fresh(project):  # another process parsed while this one waited
                return
            with environ_overrides(**(dbt_env(database_url) if database_url else {})):
                DbtCliResource(project_dir=project, dbt_executable=DBT_EXECUTABLE).cli(
                    ["parse", "--quiet"], target_path=project.target_path
                ).wait()


dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
_PreparerWithOurDbt().prepare_if_dev(dbt_project)
