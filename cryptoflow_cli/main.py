"""The `cryptoflow` command. Each command imports its part lazily, so `--help` stays instant."""

from __future__ import annotations

import typer

app = typer.Typer(help="CryptoFlow: crypto-market data platform.", no_args_is_help=True)


@app.command()
def up() -> None:
    """Start everything: services, migrations, first load, Dagster, API + web, live prices."""
    from cryptoflow.settings import get_settings
    from cryptoflow_cli.up import up as run_up

    run_up(get_settings())


@app.command()
def migrate() -> None:
    """Create the schemas and apply the `app` schema's migrations to DATABASE_URL."""
    from api.migrate import upgrade
    from cryptoflow.db import create_schemas
    from cryptoflow.settings import get_settings

    database_url = get_settings().database_url
    if not database_url:
        raise typer.BadParameter("DATABASE_URL is not set", param_hint="DATABASE_URL")
    create_schemas(database_url)
    upgrade(database_url)
    typer.echo("schemas and app tables are up to date")


if __name__ == "__main__":
    app()
