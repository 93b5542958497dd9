"""`cryptoflow up`: services, migrations, first materialization, then every long-running part.

This is the one module that knows every part of the platform; it starts them as processes and
imports none of them at module level.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import sqlalchemy as sa
from rich.console import Console
from rich.panel import Panel
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from cryptoflow.coingecko import API_PATH, PING
from cryptoflow.db import create_schemas, dagster_storage_url, dbt_env, make_engine
from cryptoflow.environ import shell_exports
from cryptoflow.services import EmbeddedPostgres, EmbeddedRedis, require_postgres, require_redis
from cryptoflow.settings import PROJECT_ROOT, Settings, Source
from cryptoflow_cli.dagster_graphql import TERMINAL_STATUSES, DagsterGraphQL
from cryptoflow_cli.supervisor import Supervisor, http_ok

console = Console(stderr=True)
FIRST_RUN_JOB = "everything_job"  # orchestration/jobs.py: every asset and check


@dataclass
class Platform:
    settings: Settings
    embedded: list[EmbeddedPostgres | EmbeddedRedis] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    supervisor: Supervisor | None = None

    @property
    def bin_dir(self) -> Path:
        return Path(sys.executable).parent

    def start_services(self) -> tuple[str, str]:
        settings = self.settings
        database_url = settings.database_url
        if not database_url:
            pg = EmbeddedPostgres(settings.data_dir / "pg")
            database_url = pg.start()
            self.embedded.append(pg)
            console.print(f"[green]embedded PostgreSQL[/] {database_url}")
        redis_url = settings.redis_url
        if not redis_url:
            rds = EmbeddedRedis(settings.data_dir / "redis", port=settings.embedded_redis_port)
            redis_url = rds.start()
            self.embedded.append(rds)
            console.print(f"[green]embedded Redis[/] {redis_url}")
        return database_url, redis_url

    def stop(self) -> None:
        if self.supervisor:
            self.supervisor.stop()
        for service in reversed(self.embedded):
            service.stop()
        self.embedded.clear()


def coingecko_reachable(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url.rstrip('/')}/{PING}", timeout=5.0).status_code == 200
    except httpx.HTTPError:
        return False


def has_history(database_url: str) -> bool:
    engine = make_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            if not conn.execute(sa.text("select to_regclass('raw.market_chart')")).scalar():
                return False
            return bool(
                conn.execute(sa.text("select exists (select 1 from raw.market_chart)")).scalar()
            )
    finally:
        engine.dispose()


def dagster_home(settings: Settings) -> Path:
    home = settings.data_dir / "dagster"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    return home


ENV_FILE_KEYS = ("DATABASE_URL", "REDIS_URL", "DAGSTER_HOME", "DAGSTER_PG_URL")


def write_env_file(path: Path, env: dict[str, str], database_url: str) -> None:
    """Where the running platform lives, for `source .data/cryptoflow.env` before `dbt build`:
    the URLs and the CRYPTOFLOW_PG_* parts of DATABASE_URL that dbt reads. Readable by the owner
    only (it holds the database password)."""
    values = {key: env[key] for key in ENV_FILE_KEYS} | dbt_env(database_url)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(shell_exports(values))


def backfill_step(messages: list[str], previous: str) -> str:
    """The newest history-progress line among `messages` (`market_chart 12/50 coins, 37 API
    calls`), else `previous`."""
    from orchestration.ingest import HISTORY_PROGRESS_PREFIX

    lines = [m for m in messages if m.startswith(HISTORY_PROGRESS_PREFIX)]
    return lines[-1].removeprefix(HISTORY_PROGRESS_PREFIX).strip() if lines else previous


def follow_first_run(client: DagsterGraphQL, run_id: str) -> str:
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]first materialization[/] (backfill → dbt build → checks)"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} assets"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[backfill]}"),
        console=console,
    ) as progress:
        task = progress.add_task("run", total=None, backfill="")
        cursor: str | None = None
        backfill = ""
        while True:
            run = client.run(run_id)
            stats = run.get("stats") or {}
            messages, cursor = client.log_messages(run_id, cursor)
            backfill = backfill_step(messages, backfill)
            progress.update(
                task,
                total=run.get("assetSelectionCount") or None,
                completed=stats.get("materializations", 0),
                backfill=f"backfill: {backfill}" if backfill else "",
            )
            if run["status"] in TERMINAL_STATUSES:
                return str(run["status"])
            time.sleep(1.0)


def up(settings: Settings) -> None:
    """Run the whole platform in the foreground until Ctrl-C."""
    from api.core.config import check_api_settings

    # refused now as one line, rather than by a child process after the rest started
    check_api_settings(settings)
    if settings.database_url:
        require_postgres(settings.database_url)
    if settings.redis_url:
        require_redis(settings.redis_url)
    platform = Platform(settings)
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            raise KeyboardInterrupt

    for signum in (signal.SIGINT, signal.SIGTERM):  # SIGINT may arrive ignored (background jobs)
        signal.signal(signum, on_signal)
    started = time.monotonic()
    try:
        database_url, redis_url = platform.start_services()
        create_schemas(database_url)
        from api.migrate import upgrade

        upgrade(database_url)
        env = platform.env
        env.update(dbt_env(database_url))  # for every dbt the children run
        env.update(
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            DAGSTER_HOME=str(dagster_home(settings)),
            DAGSTER_PG_URL=dagster_storage_url(database_url),
            CRYPTOFLOW_DATA_DIR=str(settings.data_dir),
            PYTHONUNBUFFERED="1",
        )
        write_env_file(settings.data_dir / "cryptoflow.env", env, database_url)
        sup = platform.supervisor = Supervisor(settings.data_dir / "logs", env, PROJECT_ROOT)
        b = platform.bin_dir

        use_sim = settings.source == Source.SIM or (
            settings.source == Source.AUTO and not coingecko_reachable(settings.coingecko_base_url)
        )
        if use_sim:
            console.print(
                Panel(
                    f"CoinGecko ({settings.coingecko_base_url}) is not used: serving the MARKET "
                    f"SIMULATOR on :{settings.sim_port} instead (CRYPTOFLOW_SOURCE={settings.source}).",
                    title="offline data source",
                    style="bold yellow",
                )
            )
            sim = sup.start(
                "simulator",
                [
                    str(b / "cryptoflow"),
                    "sim",
                    "--port",
                    str(settings.sim_port),
                    "--seed",
                    str(settings.sim_seed),
                ],
            )
            sim_base = f"http://127.0.0.1:{settings.sim_port}"
            sup.wait_until(
                sim, http_ok(f"{sim_base}{API_PATH}/{PING}"), timeout_s=60, what="simulator"
            )
            env.update(
                COINGECKO_BASE_URL=f"{sim_base}{API_PATH}",
                PRICE_STREAM_URL=f"ws://127.0.0.1:{settings.sim_port}/ws/prices",
                COINGECKO_RATE_LIMIT=env.get("COINGECKO_RATE_LIMIT", "6000"),
            )

        grpc_port = str(settings.dagster_grpc_port)
        code = sup.start(
            "dagster-code-server",
            [
                str(b / "dagster"),
                "api",
                "grpc",
                "-m",
                "orchestration.definitions",
                "-h",
                "127.0.0.1",
                "-p",
                grpc_port,
                "--location-name",
                "cryptoflow",
            ],
        )
        sup.start(
            "dagster-daemon",
            [
                str(b / "dagster-daemon"),
                "run",
                "--grpc-host",
                "127.0.0.1",
                "--grpc-port",
                grpc_port,
            ],
        )
        web = sup.start(
            "dagster-webserver",
            [
                str(b / "dagster-webserver"),
                "-h",
                "127.0.0.1",
                "-p",
                str(settings.dagster_port),
                "--grpc-host",
                "127.0.0.1",
                "--grpc-port",
                grpc_port,
            ],
        )
        api = sup.start(
            "api",
            api_command(b, settings.api_host, settings.api_port, settings.api_workers),
        )
        sup.start("consumer", [str(b / "cryptoflow"), "consume"])

        dagster_url = f"http://127.0.0.1:{settings.dagster_port}"
        sup.wait_until(
            web, http_ok(f"{dagster_url}/server_info"), timeout_s=180, what="Dagster webserver"
        )
        sup.wait_until(
            api, http_ok(f"http://127.0.0.1:{settings.api_port}/healthz"), timeout_s=120, what="API"
        )

        if has_history(database_url):
            console.print("[green]warehouse already loaded[/]: schedules keep it fresh")
        else:
            client = DagsterGraphQL(dagster_url)
            # the webserver answers before it has loaded the code server's definitions
            sup.wait_until(
                code,
                lambda: client.has_job(FIRST_RUN_JOB),
                timeout_s=180,
                what="Dagster code location",
            )
            status = follow_first_run(client, client.launch(FIRST_RUN_JOB))
            if status != "SUCCESS":
                console.print(
                    f"[red]first materialization ended {status}[/]: see the run in {dagster_url}/runs"
                )

        console.print(
            Panel(
                f"Dashboard + API  http://{settings.api_host}:{settings.api_port}/\n"
                f"API docs         http://{settings.api_host}:{settings.api_port}/docs\n"
                f"Dagster UI       {dagster_url}/\n"
                f"logs             {sup.log_dir}\n"
                f"ready in {time.monotonic() - started:.1f} s — Ctrl-C stops everything",
                title="CryptoFlow is up",
                style="bold green",
            )
        )
        while (dead := sup.failed()) is None:
            time.sleep(0.5)
        console.print(
            f"[red]{dead.name} exited ({dead.process.returncode})[/]; see {dead.log_path}"
        )
        raise SystemExit(1)
    except KeyboardInterrupt:
        console.print("stopping…")
    finally:
        platform.stop()
        console.print("stopped")


def api_command(bin_dir: Path, host: str, port: int, workers: int) -> list[str]:
    """The API's command line. Requests still open 3 s after SIGTERM are cancelled, so the
    process always exits promptly (WebSocket clients are told 1012 and reconnect elsewhere)."""
    return [
        str(bin_dir / "uvicorn"), "api.main:app", "--host", host, "--port", str(port),
        "--workers", str(workers), "--no-access-log", "--ws-per-message-deflate", "false",
        "--timeout-graceful-shutdown", "3",
    ]  # fmt: skip
