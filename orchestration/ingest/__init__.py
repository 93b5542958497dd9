"""Ingestion: CoinGecko → dlt → the `raw` schema."""

# Start of the run-log line a history load writes after each coin (`<table> <done>/<total>
# coins, <calls> API calls`); `cryptoflow up` shows the newest one while the backfill runs.
HISTORY_PROGRESS_PREFIX = "history progress:"
