"""Live prices, end to end: exchange feed → Redis → every API process → browsers.

Two halves that meet only through Redis and `cryptoflow.ticks.Tick` (docs/live-prices.md):

- the publisher, `cryptoflow consume` (`live.consumer`): provider adapters (`live.providers`)
  normalise ticks, `live.broadcaster` publishes them to Redis pub/sub and the latest-price hash;
- the fan-out, mounted by the API (`live.mount`: `router` and the `live_prices` lifespan): one
  Redis listener per process (`live.listener`) feeding a hub (`live.hub`) that serves every
  WebSocket of that process.

Nothing is imported here, so the consumer does not load FastAPI and the API not the feeds.
"""
