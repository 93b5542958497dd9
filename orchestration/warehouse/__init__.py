"""The dbt warehouse as Dagster assets: raw → staging → marts → MV/analytics, dbt tests as checks."""
