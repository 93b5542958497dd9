"""Where the dbt project lives; `dbt parse` must have written its manifest before import."""

from __future__ import annotations

from dagster_dbt import DbtProject

from cryptoflow.settings import PROJECT_ROOT

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()
