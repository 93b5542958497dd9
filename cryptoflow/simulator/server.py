"""The market simulator's HTTP server: CoinGecko's `/api/v3` subset, with injectable faults.

`/coins/markets` and `/global` report the market at the current snapshot boundary (every
`snapshot_s` seconds), so two calls in one window return the identical snapshot — exactly what a
rerun of an ingest sees from CoinGecko between its updates. The clock is real time unless
frozen (tests freeze and move it through `POST /_sim/clock`). Faults are set at start-up
(`cryptoflow sim --rate-429 …`) or at runtime through `POST /_sim/faults`.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from cryptoflow.coingecko import (
    API_PATH,
    GLOBAL,
    MARKET_CHART,
    MARKETS,
    MARKETS_ORDERS,
    MARKETS_PER_PAGE_DEFAULT,
    MARKETS_PER_PAGE_MAX,
    OHLC,
    OHLC_DAYS,
    PING,
    PRICE_CHANGE_WINDOWS,
    VS_CURRENCY,
)
from cryptoflow.simulator.faults import FaultConfig, FaultInjector, FaultKind
from cryptoflow.simulator.market import ANCHOR, MarketModel
from cryptoflow.simulator.payloads import Payloads
from cryptoflow.simulator.stream import StreamConfig, price_stream_route

RATE_LIMIT_BODY = {
    "status": {
        "error_code": 429,
        "error_message": "You've exceeded the Rate Limit. Please visit "
        "https://www.coingecko.com/en/api/pricing to subscribe to our API plans for higher "
        "rate limits.",
    }
}
# What CDNs and origins answer when they fail: not always JSON, which clients must survive.
SERVER_ERRORS: tuple[tuple[int, str, bytes], ...] = (
    (503, "text/html", b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"),
    (500, "application/json", b'{"error":"Internal server error"}'),
    (502, "text/html", b"<html><body><h1>502 Bad Gateway</h1></body></html>"),
    (504, "text/html", b"<html><body><h1>504 Gateway Time-out</h1></body></html>"),
)


def _corrupt_price(row: dict[str, Any]) -> None:
    row["current_price"] = "abc"


def _corrupt_id(row: dict[str, Any]) -> None:
    row["id"] = None


def _corrupt_timestamp(row: dict[str, Any]) -> None:
    row["last_updated"] = "not-a-date"


def _corrupt_market_cap(row: dict[str, Any]) -> None:
    row["market_cap"] = -abs(int(row["market_cap"]))


# Malformed rows seen in the wild: a string price, a null id, an unparsable timestamp, a
# negative market cap. Injected in this order, one per malformed-row fault.
ROW_CORRUPTIONS: tuple[Callable[[dict[str, Any]], None], ...] = (
    _corrupt_price,
    _corrupt_id,
    _corrupt_timestamp,
    _corrupt_market_cap,
)


class SimClock:
    """Real UTC time, or a frozen instant that tests set and move."""

    def __init__(self, frozen: datetime | None = None) -> None:
        self.frozen = frozen

    def __call__(self) -> datetime:
        return self.frozen or datetime.now(UTC)


@dataclass
class SimConfig:
    seed: int = 42
    now: datetime | None = None  # frozen clock; None = real time
    snapshot_s: int = 60
    faults: FaultConfig = field(default_factory=FaultConfig)
    stream: StreamConfig = field(default_factory=StreamConfig)  # `/ws/prices` pace and faults


@dataclass
class Simulator:
    """Everything a request handler needs, kept on `app.state.sim`."""

    config: SimConfig
    model: MarketModel
    payloads: Payloads
    faults: FaultInjector
    clock: SimClock

    def snapshot_time(self) -> float:
        now = self.clock().timestamp()
        return math.floor(now / self.config.snapshot_s) * self.config.snapshot_s

    def render(self, payload: object) -> Response:
        body = orjson.dumps(payload)
        if self.faults.hit(FaultKind.TRUNCATED):
            body = body[: len(body) // 2]
        return Response(body, media_type="application/json")


class ClockUpdate(BaseModel):
    now: datetime | None


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


class BadRequest(Exception):
    """A query parameter CoinGecko would refuse; answered 400 `{"error": …}`."""


def _vs_currency(request: Request) -> None:
    vs = request.query_params.get("vs_currency")
    if not vs:
        raise BadRequest("Missing parameter vs_currency")
    if vs.lower() != VS_CURRENCY:
        raise BadRequest(f"invalid vs_currency {vs!r}: the simulator quotes {VS_CURRENCY} only")


def _int_param(request: Request, name: str, default: int, lo: int, hi: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"invalid {name} {raw!r}: expected an integer") from None
    if not lo <= value <= hi:
        raise BadRequest(f"invalid {name} {value}: must be between {lo} and {hi}")
    return value


def _bool_param(request: Request, name: str) -> bool:
    raw = request.query_params.get(name, "false").lower()
    if raw not in {"true", "false"}:
        raise BadRequest(f"invalid {name} {raw!r}: expected true or false")
    return raw == "true"


def _csv_param(request: Request, name: str) -> list[str] | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    return [item.strip().lower() for item in raw.split(",") if item.strip()]


def _history_days(sim: Simulator, raw: str | None) -> float:
    if not raw:
        raise BadRequest("Missing parameter days")
    if raw == "max":
        return (sim.clock() - ANCHOR).total_seconds() / 86_400
    try:
        days = float(raw)
    except ValueError:
        raise BadRequest(f"invalid days {raw!r}: expected a number or max") from None
    if not 0 < days <= 36_500:
        raise BadRequest(f"invalid days {raw!r}: must be positive")
    return days


def create_app(config: SimConfig | None = None) -> FastAPI:
    """The simulator as an ASGI app; `uvicorn` serves it (see `serve`)."""
    config = config or SimConfig()
    model = MarketModel(config.seed)
    sim = Simulator(
        config=config,
        model=model,
        payloads=Payloads(model),
        faults=FaultInjector(config.faults, seed=config.seed),
        clock=SimClock(config.now),
    )
    app = FastAPI(title="CryptoFlow market simulator", openapi_url=None)
    app.state.sim = sim

    @app.exception_handler(BadRequest)
    async def bad_request(_request: Request, exc: BadRequest) -> JSONResponse:
        return error(400, str(exc))

    @app.middleware("http")
    async def inject_faults(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        path = request.url.path
        if not path.startswith(f"{API_PATH}/") or path == f"{API_PATH}/{PING}":
            return await call_next(request)
        faults = sim.faults
        faults.count_request()
        if faults.config.latency_ms:
            await asyncio.sleep(faults.config.latency_ms / 1000)
        if faults.hit(FaultKind.RATE_LIMIT):
            return JSONResponse(
                RATE_LIMIT_BODY,
                status_code=429,
                headers={"Retry-After": str(faults.config.retry_after_s)},
            )
        if faults.hit(FaultKind.SERVER_ERROR):
            n = faults.injected[FaultKind.SERVER_ERROR] - 1
            status, media_type, body = SERVER_ERRORS[n % len(SERVER_ERRORS)]
            return Response(body, status_code=status, media_type=media_type)
        return await call_next(request)

    @app.get(f"{API_PATH}/{PING}")
    def ping() -> dict[str, str]:
        return {"gecko_says": "(V3) To the Moon!"}

    @app.get(f"{API_PATH}/{MARKETS}")
    def coins_markets(request: Request) -> Response:
        _vs_currency(request)
        order = request.query_params.get("order") or MARKETS_ORDERS[0]
        if order not in MARKETS_ORDERS:
            raise BadRequest(f"invalid order {order!r}: one of {', '.join(MARKETS_ORDERS)}")
        windows = _csv_param(request, "price_change_percentage") or []
        unknown = [w for w in windows if w not in PRICE_CHANGE_WINDOWS]
        if unknown:
            raise BadRequest(f"invalid price_change_percentage {','.join(unknown)}")
        rows = sim.payloads.markets(
            sim.snapshot_time(),
            order=order,
            per_page=_int_param(
                request, "per_page", MARKETS_PER_PAGE_DEFAULT, 1, MARKETS_PER_PAGE_MAX
            ),
            page=_int_param(request, "page", 1, 1, 10_000),
            ids=_csv_param(request, "ids"),
            sparkline=_bool_param(request, "sparkline"),
            price_change_windows=windows,
        )
        if rows and sim.faults.hit(FaultKind.MISSING_COIN):
            del rows[sim.faults.injected[FaultKind.MISSING_COIN] * 7 % len(rows)]
        for row in rows:
            if sim.faults.hit(FaultKind.MALFORMED_ROW):
                n = sim.faults.injected[FaultKind.MALFORMED_ROW] - 1
                ROW_CORRUPTIONS[n % len(ROW_CORRUPTIONS)](row)
        return sim.render(rows)

    @app.get(f"{API_PATH}/{MARKET_CHART}")
    def coin_market_chart(coin_id: str, request: Request) -> Response:
        _vs_currency(request)
        days = _history_days(sim, request.query_params.get("days"))
        if coin_id not in sim.payloads.coin_index:
            return error(404, "coin not found")
        return sim.render(sim.payloads.market_chart(coin_id, sim.snapshot_time(), days))

    @app.get(f"{API_PATH}/{OHLC}")
    def coin_ohlc(coin_id: str, request: Request) -> Response:
        _vs_currency(request)
        raw = request.query_params.get("days", "")
        if not raw.isdigit() or int(raw) not in OHLC_DAYS:
            raise BadRequest(f"invalid days {raw!r}: one of {', '.join(map(str, OHLC_DAYS))}")
        if coin_id not in sim.payloads.coin_index:
            return error(404, "coin not found")
        return sim.render(sim.payloads.ohlc(coin_id, sim.snapshot_time(), int(raw)))

    @app.get(f"{API_PATH}/{GLOBAL}")
    def global_market() -> Response:
        return sim.render(sim.payloads.global_data(sim.snapshot_time()))

    @app.get("/_sim/faults")
    def read_faults() -> dict[str, Any]:
        return sim.faults.config.model_dump()

    @app.post("/_sim/faults")
    async def update_faults(request: Request) -> JSONResponse:
        """Partial update of the fault settings; every fault counter restarts from zero."""
        try:
            changes = orjson.loads(await request.body() or b"{}")
            merged = FaultConfig.model_validate({**sim.faults.config.model_dump(), **changes})
        except (orjson.JSONDecodeError, TypeError, ValidationError) as exc:
            return error(400, f"invalid fault settings: {exc}")
        sim.faults.reconfigure(merged)
        return JSONResponse(merged.model_dump())

    @app.get("/_sim/stats")
    def read_stats() -> dict[str, Any]:
        return sim.faults.stats()

    @app.post("/_sim/clock")
    def update_clock(update: ClockUpdate) -> dict[str, str | None]:
        """Freeze the clock at `now` (ISO-8601), or return to real time with `null`."""
        now = update.now
        if now is not None and now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        sim.clock.frozen = now
        return {"now": sim.clock().isoformat(), "frozen": now.isoformat() if now else None}

    app.router.routes.append(price_stream_route(model, config.stream, clock=sim.clock))
    return app


def serve(config: SimConfig, *, host: str = "127.0.0.1", port: int) -> None:
    import uvicorn

    uvicorn.run(create_app(config), host=host, port=port, log_level="warning")


@dataclass
class RunningSimulator:
    """A simulator served from a background thread; tests drive its faults and clock."""

    root_url: str
    app: FastAPI

    @property
    def base_url(self) -> str:
        """What `COINGECKO_BASE_URL` should be."""
        return f"{self.root_url}{API_PATH}"

    @property
    def ws_url(self) -> str:
        return f"{self.root_url.replace('http://', 'ws://', 1)}/ws/prices"

    def _post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        import httpx

        response = httpx.post(f"{self.root_url}{path}", json=payload, timeout=10)
        response.raise_for_status()
        return response.json()

    def set_faults(self, **changes: Any) -> dict[str, Any]:
        """Change some fault settings (see `FaultConfig`); fault counters restart."""
        return self._post("/_sim/faults", changes)

    def clear_faults(self) -> dict[str, Any]:
        return self._post("/_sim/faults", FaultConfig().model_dump())

    def set_clock(self, now: datetime | None) -> dict[str, Any]:
        """Freeze the simulator's clock at `now` (None: back to real time)."""
        return self._post("/_sim/clock", {"now": now.isoformat() if now else None})

    def stats(self) -> dict[str, Any]:
        return self.app.state.sim.faults.stats()


@contextmanager
def serve_in_thread(
    config: SimConfig | None = None, *, host: str = "127.0.0.1", port: int = 0
) -> Iterator[RunningSimulator]:
    """Serve the simulator with uvicorn in a daemon thread until the block exits."""
    import uvicorn

    app = create_app(config)
    if port == 0:
        from cryptoflow.services import free_port

        port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name=f"simulator:{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the simulator did not start on {host}:{port}")
        time.sleep(0.02)
    try:
        yield RunningSimulator(root_url=f"http://{host}:{port}", app=app)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
