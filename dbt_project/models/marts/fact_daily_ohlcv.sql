{{
    config(
        materialized='incremental',
        unique_key=['coin_id', 'date_day'],
        incremental_strategy='delete+insert',
        indexes=[{'columns': ['coin_id', 'date_day'], 'unique': True}],
    )
}}

{#-
    Incremental so the 10-minute tick only rebuilds the (coin, day) bars its loads touched.
    Each bar is built from every observation of its day and says what it was built from: `grain`
    is the finest kind of data whose points fill enough of its slots (10 minutes, 1 hour, 4 hours)
    over the part of the day observed (macro ohlcv_grain_min_points), `points` how many
    observations and candles the bar used.
-#}

with

market_data as (

    select * from {{ ref('fact_market_data') }}

),

candles as (

    select * from {{ ref('stg_ohlc') }}

),

touched_days as (

    {{ touched_periods(
        'market_data',
        "(snapshot_at at time zone 'utc')::date",
        'date_day',
        facts_merged_since_last_run(),
    ) }}

    union

    -- a candle closing at midnight belongs to the day before
    {{ touched_periods(
        'candles',
        "((candle_close_at - interval '1 microsecond') at time zone 'utc')::date",
        'date_day',
        loaded_since_last_run('candles'),
    ) }}

),

coin_reach as (

    -- each touched coin's newest observation: its newest day is observed only up to there
    select
        touched_coins.coin_id,
        newest.snapshot_at as newest_at

    from (select distinct coin_id from touched_days) as touched_coins
    cross join lateral (
        select facts.snapshot_at
        from {{ ref('fact_market_data') }} as facts
        where facts.coin_id = touched_coins.coin_id
        order by facts.snapshot_at desc
        limit 1
    ) as newest

),

day_observations as (

    -- each touched bar is rebuilt from all of its day's observations, not only the new ones
    select
        touched_days.coin_id,
        touched_days.date_day,
        market_data.snapshot_at,
        market_data.price_usd,
        market_data.volume_24h_usd,
        market_data.source,
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
        -- the slots of each grain's spacing that hold a point: 20 snapshots in one hour cover
        -- one hour of the day, not twenty
        count(distinct floor(
            extract(epoch from snapshot_at) / {{ var('ohlcv_grain_spacing_s')['snapshots'] }}
        )) filter (where source = 'snapshot') as snapshot_slots,
        count(distinct floor(
            extract(epoch from snapshot_at) / {{ var('ohlcv_grain_spacing_s')['hourly'] }}
        )) as hourly_slots,
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

    -- only candles that open and close inside one UTC day (its midnight close included) say
    -- something about that day: 4-day candles do not
    select
        candles_with_open.coin_id,
        (candles_with_open.candle_open_at at time zone 'utc')::date as date_day,
        max(candles_with_open.high) as high,
        min(candles_with_open.low) as low,
        count(*) as candle_points,
        max(candles_with_open.loaded_at) as loaded_at

    from candles_with_open
    where
        candles_with_open.candle_close_at
        <= date_trunc('day', candles_with_open.candle_open_at, 'utc') + interval '1 day'
    group by 1, 2

),

bars as (

    select
        daily_prices.coin_id,
        daily_prices.date_day,
        daily_prices.open,
        greatest(daily_prices.high, daily_candles.high) as high,
        least(daily_prices.low, daily_candles.low) as low,
        daily_prices.close,
        daily_prices.volume,
        daily_prices.price_points,
        daily_prices.snapshot_slots,
        daily_prices.hourly_slots,
        coalesce(daily_candles.candle_points, 0) as candle_points,
        daily_candles.coin_id is not null as has_candles,
        -- seconds of the day observed: all of it, but for the coin's newest day
        extract(epoch from least(
            interval '1 day',
            coin_reach.newest_at - daily_prices.date_day::timestamp at time zone 'utc'
        )) as observed_s,
        greatest(daily_prices.loaded_at, daily_candles.loaded_at) as loaded_at

    from daily_prices
    inner join coin_reach on daily_prices.coin_id = coin_reach.coin_id
    left join daily_candles
        on
            daily_prices.coin_id = daily_candles.coin_id
            and daily_prices.date_day = daily_candles.date_day

),

final as (

    select
        coin_id,
        date_day,
        open,
        high,
        low,
        close,
        volume,
        case
            when snapshot_slots >= {{ ohlcv_grain_min_points('snapshots', 'observed_s') }}
                then 'snapshots'
            when hourly_slots >= {{ ohlcv_grain_min_points('hourly', 'observed_s') }}
                then 'hourly'
            when candle_points >= {{ ohlcv_grain_min_points('ohlc_4h', 'observed_s') }}
                then 'ohlc_4h'
            else 'daily_close'
        end as grain,
        price_points + candle_points as points,
        price_points,
        has_candles,
        loaded_at,
        {{ facts_merged_through() }} as facts_merged_through

    from bars

)

select * from final
