"""The streaming consumer: one provider's ticks → Redis, surviving feed drops and Redis restarts.

Reading the feed and writing Redis are two tasks joined by a pending list, so neither can stall
the other: while Redis is down the feed keeps being read and pending ticks are conflated to the
newest per coin (bounded by the number of coins); when Redis is back, that newest state is
published first, so the latest-price hash is current again straight away.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable
from dataclasses import asdict, dataclass

import structlog
from redis.exceptions import RedisError

from cryptoflow.aio import cancel_and_wait
from cryptoflow.backoff import Backoff
from cryptoflow.settings import Settings, SettingsError, Source
from cryptoflow.ticks import Tick
from live.broadcaster import RedisBroadcaster
from live.coins import CoinRef, load_coins
from live.providers import BINANCE_STREAM_URL, PriceProvider, make_provider

log = structlog.get_logger(__name__)

SHUTDOWN_S = 3.0  # cancel → every task stopped and Redis closed, whatever state the consumer is in
DISCONNECT_S = 1.0


@dataclass
class PublishStats:
    published: int = 0
    redis_errors: int = 0


def _newest_per_coin(ticks: list[Tick]) -> list[Tick]:
    return list({tick.coin_id: tick for tick in ticks}.values())


class Consumer:
    def __init__(
        self,
        provider: PriceProvider,
        broadcaster: RedisBroadcaster,
        *,
        log_interval_s: float = 60.0,
        redis_backoff: Backoff | None = None,
        coin_source: Callable[[], list[CoinRef]] | None = None,
        coin_refresh_s: float = 600.0,
    ) -> None:
        self.provider = provider
        self.broadcaster = broadcaster
        self.log_interval_s = log_interval_s
        self.coin_source = coin_source
        self.coin_refresh_s = coin_refresh_s
        self.redis_backoff = redis_backoff or Backoff(initial_s=0.2, max_s=5.0)
        self.stats = PublishStats()
        self.redis_up = True
        self._pending: list[Tick] = []
        self._wakeup = asyncio.Event()

    async def run(self) -> None:
        """Run until cancelled (or a worker fails); shutting down takes `SHUTDOWN_S` at most."""
        await self.broadcaster.connect()
        workers = [
            asyncio.create_task(self._read_feed(), name="read-feed"),
            asyncio.create_task(self._publish_forever(), name="publish"),
            asyncio.create_task(self._log_counts_forever(), name="log-counts"),
        ]
        if self.coin_source is not None:
            workers.append(
                asyncio.create_task(self._refresh_coins_forever(self.coin_source), name="coins")
            )
        try:
            done, _ = await asyncio.wait(workers, return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                task.result()  # a worker's failure ends the consumer with that error
        finally:
            # Not a TaskGroup: redis-py can swallow one cancel (cryptoflow/aio.py), and a
            # TaskGroup would then wait forever for the publisher.
            await cancel_and_wait(workers, timeout_s=SHUTDOWN_S - DISCONNECT_S)
            with contextlib.suppress(TimeoutError, RedisError, OSError):
                async with asyncio.timeout(DISCONNECT_S):
                    await self.broadcaster.disconnect()

    async def _read_feed(self) -> None:
        async for tick in self.provider.ticks():
            self._pending.append(tick)
            self._wakeup.set()

    async def _publish_forever(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            batch, self._pending = self._pending, []
            if batch:
                await self._publish(batch)

    async def _publish(self, batch: list[Tick]) -> None:
        try:
            await self.broadcaster.publish(batch)
        except (RedisError, OSError) as exc:
            self.stats.redis_errors += 1
            self._pending = _newest_per_coin(batch + self._pending)
            delay = self.redis_backoff.next_delay()
            if self.redis_up:
                log.warning("redis unreachable, holding newest ticks", error=str(exc)[:200])
            self.redis_up = False
            await asyncio.sleep(delay)
            self._wakeup.set()
            return
        self.stats.published += len(batch)
        if not self.redis_up:
            log.info("redis reachable again, publishing resumed")
        self.redis_up = True
        self.redis_backoff.reset()

    async def _refresh_coins_forever(self, coin_source: Callable[[], list[CoinRef]]) -> None:
        """Follow `dim_coin`: a coin entering the top N after an ingest gets ticks too."""
        while True:
            await asyncio.sleep(self.coin_refresh_s)
            coins = await asyncio.to_thread(coin_source)
            if coins and set(coins) != set(self.provider.coins):
                log.info("coin list changed, resubscribing", coins=len(coins))
                self.provider.set_coins(coins)

    async def _log_counts_forever(self) -> None:
        """One structured line per interval with the counts since the previous one."""
        previous = self._counters()
        while True:
            await asyncio.sleep(self.log_interval_s)
            now = self._counters()
            delta = {key: now[key] - previous[key] for key in now}
            log.info(
                "stream counts",
                feed=self.provider.name,
                interval_s=self.log_interval_s,
                redis_up=self.redis_up,
                **delta,
            )
            previous = now

    def _counters(self) -> dict[str, int]:
        return {**asdict(self.provider.stats), **asdict(self.stats)}


async def run_until_signalled(consumer: Consumer) -> None:
    """`consumer.run()` until SIGTERM or SIGINT, then a shutdown bounded by `SHUTDOWN_S`."""
    main = asyncio.current_task()
    assert main is not None
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, main.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await consumer.run()
    log.info("consumer stopped", published=consumer.stats.published)


def stream_url(settings: Settings) -> str:
    """`PRICE_STREAM_URL`, else the simulator's stream when the source is the simulator, else Binance."""
    if settings.price_stream_url:
        return settings.price_stream_url
    if settings.source == Source.SIM:
        return f"ws://127.0.0.1:{settings.sim_port}/ws/prices"
    return BINANCE_STREAM_URL


def build_consumer(settings: Settings) -> Consumer:
    """The consumer `cryptoflow consume` runs; SettingsError when the configuration cannot work."""
    if not settings.redis_url:
        raise SettingsError("REDIS_URL", "", "not set: point it at Redis, or run `cryptoflow up`")
    url = stream_url(settings)
    coins = load_coins(settings.database_url)
    provider = make_provider(url, coins)
    broadcaster = RedisBroadcaster(
        settings.redis_url, channel=settings.prices_channel, latest_key=settings.latest_prices_key
    )
    log.info(
        "consumer configured",
        feed=provider.name,
        url=url,
        coins=len(coins),
        channel=settings.prices_channel,
    )
    return Consumer(
        provider,
        broadcaster,
        log_interval_s=settings.stream_log_interval_s,
        coin_source=lambda: load_coins(settings.database_url),
    )
