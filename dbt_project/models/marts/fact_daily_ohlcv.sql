{{
    config(
        materialized='incremental',
        unique_key=['coin_id', 'date_day'],
        incremental_strategy='delete+insert',
        indexes=[{'columns': ['coin_id', 'date_day'], 'unique': True}],
    )
}}

{#- Incremental so the 10-minute tick only rebuilds the (coin, day) bars its loads touched. -#}

with

market_data as (

    select * from {{ ref('fact_market_data') }}

),

candles as (

    select * from {{ ref('stg_ohlc') }}

),

touched_days as (

    {{ touched_periods('market_data', "(snapshot_at at time zone 'utc')::date", 'date_day') }}

    union

    {{ touched_periods('candles', "(candle_close_at at time zone 'utc')::date", 'date_day') }}

),

day_observations as (

    -- each touched bar is rebuilt from all of its day's observations, not only the new ones
    select
        touched_days.coin_id,
        touched_days.date_day,
        market_data.snapshot_at,
        market_data.price_usd,
        market_data.volume_24h_usd,
        market_data.loaded_at

    from touched_days
    inner join market_data
        on
            touched_days.coin_id = market_data.coin_id
            and market_data.snapshot_at >= touched_days.date_day::timestamp at time zone 'utc'
            and market_data.snapshot_at < (touched_days.date_day + 1)::timestamp at time zone 'utc'

),

daily_prices as (

    select
        coin_id,
        date_day,
        (array_agg(price_usd order by snapshot_at asc))[1] as open,
        max(price_usd) as high,
        min(price_usd) as low,
        (array_agg(price_usd order by snapshot_at desc))[1] as close,
        (array_agg(volume_24h_usd order by snapshot_at desc))[1] as volume,
        count(*) as price_points,
        max(loaded_at) as loaded_at

    from day_observations
    group by 1, 2

),

candles_with_open as (

    -- a candle opens where the coin's previous candle closed
    select
        coin_id,
        candle_close_at,
        high,
        low,
        loaded_at,
        lag(candle_close_at) over (
            partition by coin_id order by candle_close_at asc
        ) as candle_open_at

    from candles
    where candle_close_at >= (
        select min(touched_days.date_day) - 1 from touched_days
    )::timestamp at time zone 'utc'

),

daily_candles as (

    -- only candles that open and close inside one UTC day say something about that day
    select
        candles_with_open.coin_id,
        (candles_with_open.candle_close_at at time zone 'utc')::date as date_day,
        max(candles_with_open.high) as high,
        min(candles_with_open.low) as low,
        max(candles_with_open.loaded_at) as loaded_at

    from candles_with_open
    where
        candles_with_open.candle_open_at >= date_trunc(
            'day', candles_with_open.candle_close_at at time zone 'utc'
        ) at time zone 'utc'
    group by 1, 2

),

final as (

    select
        daily_prices.coin_id,
        daily_prices.date_day,
        daily_prices.open,
        greatest(daily_prices.high, daily_candles.high) as high,
        least(daily_prices.low, daily_candles.low) as low,
        daily_prices.close,
        daily_prices.volume,
        daily_prices.price_points,
        daily_candles.coin_id is not null as has_candles,
        greatest(daily_prices.loaded_at, daily_candles.loaded_at) as loaded_at

    from daily_prices
    left join daily_candles
        on
            daily_prices.coin_id = daily_candles.coin_id
            and daily_prices.date_day = daily_candles.date_day

)

select * from final
