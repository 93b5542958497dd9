"""Publish→client latency of the fan-out, 100 clients at 50 ticks/s (docs/targets.md, scaled):
every tick reaches every client, in order; the latencies are printed, not judged."""

from __future__ import annotations

import pytest

from tests.streaming.live_support import ApiServer, measure_fanout


async def test_publish_to_client_latency_for_100_clients(
    redis_url: str, redis_namespace: str, capsys: pytest.CaptureFixture[str]
) -> None:
    api = await ApiServer(redis_url, redis_namespace).start()
    try:
        result = await measure_fanout(api, redis_url, clients=100, ticks_per_s=50, seconds=4)
    finally:
        api.stop()
    p50, p99 = result.percentile(0.50), result.percentile(0.99)
    with capsys.disabled():
        print(
            f"\nWebSocket fan-out: {result.clients} clients, {result.ticks_published} ticks at "
            f"50/s: publish→client p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms"
        )
    assert result.complete_clients == 100  # every client received every tick
    assert result.in_order_clients == 100  # in the order they were published
    # No bound on the figures: on a shared machine it would measure the load of the machine.
    # `python -m bench.ws_fanout` (`make bench`) measures them against docs/targets.md.
