"""The one CoinGecko HTTP client: API key header, client-side rate limit, retries with backoff.

CoinGecko's free tiers allow a few dozen calls a minute and answer 429 (with `Retry-After`, when
it is sent) beyond that; CDNs in front of it fail with 5xx HTML pages or cut responses short. The
client spaces its calls with a token bucket, waits out 429s as told, backs off exponentially
on 5xx, timeouts, broken connections and bodies that are not JSON, and after the last try raises
`CoinGeckoError` naming the URL and the last status. It cannot tell the simulator from the real
API, and must not.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson

from cryptoflow.backoff import Backoff

log = logging.getLogger(__name__)

# CoinGecko's API as the platform uses it. The client asks with these, the dlt sources
# (orchestration/ingest) read the answers with them, and the simulator (cryptoflow/simulator)
# serves and validates the same: each is defined here only.
API_PATH = "/api/v3"
PUBLIC_BASE_URL = f"https://api.coingecko.com{API_PATH}"
PRO_HOST_PREFIX = "pro-api."  # Pro keys go to https://pro-api.coingecko.com/api/v3
PING = "ping"
MARKETS = "coins/markets"
MARKET_CHART = "coins/{coin_id}/market_chart"
OHLC = "coins/{coin_id}/ohlc"
GLOBAL = "global"
VS_CURRENCY = "usd"  # every price, market cap and volume is loaded in USD
# `order` values of /coins/markets; the first is the one the platform loads by.
MARKETS_ORDERS = (
    "market_cap_desc",
    "market_cap_asc",
    "volume_desc",
    "volume_asc",
    "id_asc",
    "id_desc",
)
MARKETS_PER_PAGE_DEFAULT = 100
MARKETS_PER_PAGE_MAX = 250
# `price_change_percentage` windows of /coins/markets; the platform asks for all of them.
PRICE_CHANGE_WINDOWS = ("1h", "24h", "7d", "14d", "30d", "200d", "1y")
OHLC_DAYS = (1, 7, 14, 30, 90, 180, 365)  # the only `days` /ohlc accepts
# CoinGecko's automatic granularity. market_chart: 5-minute points for 1 day, hourly up to
# MARKET_CHART_HOURLY_DAYS, daily (00:00 UTC) beyond. /ohlc candles: 30 minutes for 1-2 days,
# 4 hours up to OHLC_4H_DAYS, 4 days beyond.
MARKET_CHART_5MIN_DAYS = 1
MARKET_CHART_HOURLY_DAYS = 90
OHLC_30MIN_DAYS = 2
OHLC_4H_DAYS = 30


def price_change_field(window: str) -> str:
    """The /coins/markets field of one `price_change_percentage` window."""
    return f"price_change_percentage_{window}_in_currency"


class CoinGeckoError(RuntimeError):
    """A request that failed for good: a 4xx other than 429, or every retry used up."""

    def __init__(self, message: str, *, url: str, status: int | None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


class TokenBucket:
    """`rate_per_min` calls a minute on average, at most `burst` back to back; thread-safe."""

    def __init__(self, rate_per_min: float, *, burst: int = 1) -> None:
        self.interval_s = 60.0 / rate_per_min
        self.burst = max(1, burst)
        self._tokens = float(self.burst)
        self._updated = time.monotonic()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        while True:
            with self._lock:
                now = time.monotonic()
                elapsed = now - self._updated
                self._tokens = min(self.burst, self._tokens + elapsed / self.interval_s)
                self._updated = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                wait_s = (1 - self._tokens) * self.interval_s
            time.sleep(wait_s)


def retry_after_seconds(value: str | None) -> float | None:
    """`Retry-After` as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


def api_key_header(base_url: str) -> str:
    """Pro keys go to pro-api.coingecko.com, every other host takes the Demo header."""
    host = urlsplit(base_url).hostname or ""
    return "x-cg-pro-api-key" if host.startswith(PRO_HOST_PREFIX) else "x-cg-demo-api-key"


class CoinGeckoClient:
    """Blocking client for the `/api/v3` endpoints the platform loads."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str | None = None,
        rate_limit_per_min: float = 30,
        max_retries: int = 5,
        timeout_s: float = 20.0,
        backoff_s: float = 1.0,
        max_backoff_s: float = 60.0,
        max_retry_after_s: float = 300.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.max_retry_after_s = max_retry_after_s
        self.bucket = TokenBucket(
            rate_limit_per_min, burst=min(5, max(1, int(rate_limit_per_min) // 10))
        )
        headers = {"accept": "application/json", "user-agent": "cryptoflow/0.1"}
        if api_key:
            headers[api_key_header(self.base_url)] = api_key
        self.headers = headers
        self._http = httpx.Client(headers=headers, timeout=timeout_s)
        self.calls = 0  # HTTP requests sent, retries included

    def __enter__(self) -> CoinGeckoClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET `path` and decode its JSON, retrying what may succeed on a later try."""
        url = f"{self.base_url}/{path.lstrip('/')}"
        backoff = Backoff(initial_s=self.backoff_s, max_s=self.max_backoff_s)
        attempts = self.max_retries + 1
        problem = ""
        status: int | None = None
        for attempt in range(1, attempts + 1):
            self.bucket.acquire()
            self.calls += 1
            wait_s: float | None = None
            try:
                response = self._http.get(url, params=params)
            except httpx.TransportError as exc:  # timeouts, refused or dropped connections
                status, problem = None, f"{type(exc).__name__}: {exc}"
            else:
                status = response.status_code
                if status == 429:
                    problem = "HTTP 429 rate limited"
                    retry_after = retry_after_seconds(response.headers.get("retry-after"))
                    if retry_after is not None:
                        wait_s = min(retry_after, self.max_retry_after_s)
                elif status >= 500:
                    problem = f"HTTP {status} {_excerpt(response.content)}"
                elif status >= 400:
                    raise CoinGeckoError(
                        f"CoinGecko GET {response.url} failed: HTTP {status} "
                        f"{_excerpt(response.content)}",
                        url=str(response.url),
                        status=status,
                    )
                else:
                    try:
                        return orjson.loads(response.content)
                    except orjson.JSONDecodeError as exc:
                        problem = f"invalid JSON in a {len(response.content)}-byte body ({exc})"
            if attempt == attempts:
                break
            delay = backoff.next_delay() if wait_s is None else wait_s
            log.warning(
                "coingecko retry url=%s attempt=%d/%d problem=%r wait_s=%.2f",
                url,
                attempt,
                attempts,
                problem,
                delay,
            )
            time.sleep(delay)
        raise CoinGeckoError(
            f"CoinGecko GET {url} failed after {attempts} attempts: {problem}",
            url=url,
            status=status,
        )

    def ping(self) -> bool:
        return "gecko_says" in self.get(PING)

    def markets(
        self, *, page: int = 1, per_page: int = MARKETS_PER_PAGE_DEFAULT, sparkline: bool = True
    ) -> list[dict[str, Any]]:
        """One page of `/coins/markets` in USD, by market cap, with every optional field."""
        rows = self.get(
            MARKETS,
            {
                "vs_currency": VS_CURRENCY,
                "order": MARKETS_ORDERS[0],
                "per_page": per_page,
                "page": page,
                "sparkline": str(sparkline).lower(),
                "price_change_percentage": ",".join(PRICE_CHANGE_WINDOWS),
            },
        )
        if not isinstance(rows, list):
            raise CoinGeckoError(
                f"CoinGecko /{MARKETS} returned {type(rows).__name__}, expected a list",
                url=f"{self.base_url}/{MARKETS}",
                status=200,
            )
        return rows

    def market_chart(self, coin_id: str, *, days: int) -> dict[str, list[list[float]]]:
        return self.get(
            MARKET_CHART.format(coin_id=coin_id), {"vs_currency": VS_CURRENCY, "days": days}
        )

    def ohlc(self, coin_id: str, *, days: int) -> list[list[float]]:
        return self.get(OHLC.format(coin_id=coin_id), {"vs_currency": VS_CURRENCY, "days": days})

    def global_data(self) -> dict[str, Any]:
        return self.get(GLOBAL)["data"]


def _excerpt(body: bytes, limit: int = 160) -> str:
    text = body.decode("utf-8", errors="replace").strip().replace("\n", " ")
    return repr(text[:limit] + ("…" if len(text) > limit else ""))
