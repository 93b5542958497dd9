{{ config(meta={'dagster': {'ref': {'name': 'fact_market_data'}}}) }}

-- No price, daily bar or market cap below zero anywhere in the marts.
select
    'fact_market_data' as model_name,
    coin_id,
    snapshot_at::date as date_day

from {{ ref('fact_market_data') }}
where price_usd < 0 or market_cap_usd < 0 or volume_24h_usd < 0

union all

select
    'fact_daily_ohlcv' as model_name,
    coin_id,
    date_day

from {{ ref('fact_daily_ohlcv') }}
where least(open, high, low, close) < 0 or volume < 0
