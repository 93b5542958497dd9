"""Where the dbt project lives; `dbt parse` must have written its manifest before import."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dagster_dbt import DagsterDbtProjectPreparer, DbtCliResource, DbtProject

from cryptoflow.settings import PROJECT_ROOT

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
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


class _PreparerWithOurDbt(DagsterDbtProjectPreparer):
    """Dagster's own preparer — under `dagster dev` each process loading the code location (the
    code server, every run) parses the project first, to pick up edits — but parsing only when a
    project file changed since the manifest was written (a parse costs seconds per run), and with
    DBT_EXECUTABLE instead of the `dbt` on PATH."""

    def prepare(self, project: DbtProject) -> None:
        manifest = project.manifest_path
        if manifest.exists() and manifest.stat().st_mtime >= newest_source_mtime(
            project.project_dir
        ):
            return
        super().prepare(project)

    def _prepare_manifest(self, project: DbtProject) -> None:
        DbtCliResource(project_dir=project, dbt_executable=DBT_EXECUTABLE).cli(
            ["parse", "--quiet"], target_path=project.target_path
        ).wait()


dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
_PreparerWithOurDbt().prepare_if_dev(dbt_project)
