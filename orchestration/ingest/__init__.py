"""Ingestion: CoinGecko → dlt → the `raw` schema."""
