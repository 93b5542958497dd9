"""The `cryptoflow` command. Each command imports its part lazily, so `--help` stays instant."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    from typer._click.core import Context

    from cryptoflow.settings import SettingsError


class _Commands(TyperGroup):
    """Runs every command so a bad setting ends as one line on stderr and exit 2, not a traceback.

    Settings come from `get_settings()` (a `SettingsError` names the variable); an option that
    click read from its environment variable and refused is reported the same way.
    """

    def invoke(self, ctx: Context) -> Any:
        from cryptoflow.settings import exit_on_bad_settings

        with exit_on_bad_settings():
            try:
                return super().invoke(ctx)
            except typer.BadParameter as exc:
                raise _from_environment(exc) or exc from None


def _from_environment(exc: typer.BadParameter) -> SettingsError | None:
    """The `SettingsError` of a refused option value that came from its environment variable."""
    import os

    from cryptoflow.settings import SettingsError

    param, ctx = exc.param, exc.ctx
    if param is None or ctx is None or param.name is None:
        return None
    source = ctx.get_parameter_source(param.name)
    if source is None or source.name != "ENVIRONMENT":
        return None
    envvars = [param.envvar] if isinstance(param.envvar, str) else list(param.envvar or ())
    for name in envvars:
        if name in os.environ:
            return SettingsError(name, os.environ[name], exc.message)
    return None


app = typer.Typer(
    help="CryptoFlow: crypto-market data platform.", no_args_is_help=True, cls=_Commands
)


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
    from cryptoflow.services import require_postgres
    from cryptoflow.settings import SettingsError, get_settings

    settings = get_settings()
    database_url = settings.database_url
    if not database_url:
        raise SettingsError("DATABASE_URL", None, "migrate needs the database to migrate")
    require_postgres(database_url)
    create_schemas(database_url)
    upgrade(database_url)
    typer.echo("schemas and app tables are up to date")


@app.command("dbt-env")
def dbt_env() -> None:
    """Print what dbt reads from the environment: DATABASE_URL as the CRYPTOFLOW_PG_* variables
    and CRYPTOFLOW_TOP_N (the completeness check's coin count). eval "$(cryptoflow dbt-env)"."""
    from cryptoflow.db import dbt_env as split_for_dbt
    from cryptoflow.environ import shell_exports
    from cryptoflow.settings import SettingsError, get_settings

    settings = get_settings()
    database_url = settings.database_url
    if not database_url:
        raise SettingsError(
            "DATABASE_URL",
            None,
            "dbt-env needs the database dbt builds into (the running platform's: "
            "source .data/cryptoflow.env)",
        )
    exports = split_for_dbt(database_url) | {"CRYPTOFLOW_TOP_N": str(settings.top_n_coins)}
    typer.echo(shell_exports(exports), nl=False)


def _sim_env(name: str) -> str:
    return f"CRYPTOFLOW_SIM_{name}"


@app.command()
def sim(
    ctx: typer.Context,
    port: int | None = typer.Option(
        None, show_default=False, help="TCP port (default: the CRYPTOFLOW_SIM_PORT setting)"
    ),
    host: str = typer.Option("127.0.0.1", envvar=_sim_env("HOST"), help="bind address"),
    seed: int | None = typer.Option(
        None,
        show_default=False,
        help="seed of the market (default: the CRYPTOFLOW_SIM_SEED setting)",
    ),
    now: datetime | None = typer.Option(
        None, envvar=_sim_env("NOW"), help="freeze the clock at this UTC time (ISO-8601)"
    ),
    snapshot_s: int = typer.Option(
        60, min=1, envvar=_sim_env("SNAPSHOT_S"), help="seconds between market snapshots"
    ),
    rate_429: float = typer.Option(0.0, envvar=_sim_env("RATE_429"), help="share answered 429"),
    retry_after: int = typer.Option(
        1, envvar=_sim_env("RETRY_AFTER"), help="Retry-After seconds of a 429"
    ),
    rate_5xx: float = typer.Option(0.0, envvar=_sim_env("RATE_5XX"), help="share answered 5xx"),
    latency_ms: int = typer.Option(0, envvar=_sim_env("LATENCY_MS"), help="delay per request"),
    malformed_rate: float = typer.Option(
        0.0, envvar=_sim_env("MALFORMED_RATE"), help="share of /coins/markets rows corrupted"
    ),
    truncated_rate: float = typer.Option(
        0.0, envvar=_sim_env("TRUNCATED_RATE"), help="share of JSON bodies cut in half"
    ),
    missing_coin_rate: float = typer.Option(
        0.0, envvar=_sim_env("MISSING_COIN_RATE"), help="share of markets pages missing a coin"
    ),
) -> None:
    """Serve the market simulator: CoinGecko's /api/v3 subset (+ the price stream)."""
    from datetime import UTC

    from pydantic import ValidationError

    from cryptoflow.settings import get_settings
    from cryptoflow.simulator.faults import FaultConfig
    from cryptoflow.simulator.server import SimConfig, serve

    settings = get_settings()  # the one reader of CRYPTOFLOW_SIM_PORT/SEED, as for cryptoflow up
    port = settings.sim_port if port is None else port
    seed = settings.sim_seed if seed is None else seed

    try:
        faults = FaultConfig(
            rate_429=rate_429,
            retry_after_s=retry_after,
            rate_5xx=rate_5xx,
            latency_ms=latency_ms,
            malformed_rate=malformed_rate,
            truncated_rate=truncated_rate,
            missing_coin_rate=missing_coin_rate,
        )
    except ValidationError as exc:
        # name the first refused option, so one read from its variable is reported as a setting
        options: dict[str | None, Any] = {param.name: param for param in ctx.command.params}
        first = exc.errors()[0]
        field = str(first["loc"][0])
        option = {"retry_after_s": "retry_after"}.get(field, field)
        raise typer.BadParameter(str(first["msg"]), ctx=ctx, param=options.get(option)) from None
    frozen = now.replace(tzinfo=now.tzinfo or UTC) if now else None
    typer.echo(f"market simulator on http://{host}:{port}/api/v3 (seed {seed})", err=True)
    serve(
        SimConfig(seed=seed, now=frozen, snapshot_s=snapshot_s, faults=faults), host=host, port=port
    )


@app.command()
def consume() -> None:
    """Stream live prices (PRICE_STREAM_URL, default Binance) into Redis until SIGTERM or Ctrl-C."""
    import asyncio

    import structlog

    from cryptoflow.settings import get_settings
    from live.consumer import build_consumer, run_until_signalled

    settings = get_settings()
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(settings.log_level.lower())
    )
    consumer = build_consumer(settings)
    asyncio.run(run_until_signalled(consumer))


if __name__ == "__main__":
    app()
