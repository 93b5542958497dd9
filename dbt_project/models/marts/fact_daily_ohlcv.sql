{{
    config(
        indexes=[{'columns': ['coin_id', 'date_day'], 'unique': True}],
    )
}}

with

market_data as (

    select * from {{ ref('fact_market_data') }}

),

candles as (

    select * from {{ ref('stg_ohlc') }}

),

daily_prices as (

    select
        coin_id,
        (snapshot_at at time zone 'utc')::date as date_day,
        (array_agg(price_usd order by snapshot_at asc))[1] as open,
        max(price_usd) as high,
        min(price_usd) as low,
        (array_agg(price_usd order by snapshot_at desc))[1] as close,
        (array_agg(volume_24h_usd order by snapshot_at desc))[1] as volume,
        count(*) as price_points

    from market_data
    group by 1, 2

),

candles_with_start as (

    select
        *,
        lag(candle_close_at) over (
            partition by coin_id order by candle_close_at
        ) as candle_open_at

    from candles

),

daily_candles as (

    -- only candles that open and close inside one UTC day say something about that day
    select
        coin_id,
        (candle_close_at at time zone 'utc')::date as date_day,
        max(high_usd) as high,
        min(low_usd) as low

    from candles_with_start
    where candle_open_at >= date_trunc('day', candle_close_at at time zone 'utc') at time zone 'utc'
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
        daily_candles.coin_id is not null as has_candles

    from daily_prices
    left join daily_candles
        on
            daily_prices.coin_id = daily_candles.coin_id
            and daily_prices.date_day = daily_candles.date_day

)

select * from final
