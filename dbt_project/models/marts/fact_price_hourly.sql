{{
    config(
        materialized='incremental',
        unique_key=['coin_id', 'hour_at'],
        incremental_strategy='delete+insert',
        indexes=[
            {'columns': ['coin_id', 'hour_at'], 'unique': True},
            {'columns': ['coin_id', 'snapshot_at'], 'unique': True},
        ],
    )
}}

{#-
    The hourly price history (GET /coins/{id}/history for 2 to 90 days): the last observation
    of each UTC hour. Incremental like fact_daily_ohlcv: a run rebuilds only the (coin, hour)
    points that newly loaded facts fall in.
-#}

with

market_data as (

    select * from {{ ref('fact_market_data') }}

),

touched_hours as (

    select distinct
        coin_id,
        date_trunc('hour', snapshot_at, 'utc') as hour_at

    from market_data
    {{ loaded_since_last_run() }}

),

final as (

    -- one index probe per hour for its newest fact, loaded by this run or not (the table, not
    -- the market_data CTE, so the probe uses its (coin_id, snapshot_at) index)
    select
        touched_hours.coin_id,
        touched_hours.hour_at,
        last_fact.snapshot_at,
        last_fact.price_usd,
        last_fact.market_cap_usd,
        last_fact.volume_24h_usd,
        last_fact.loaded_at

    from touched_hours
    cross join lateral (
        select facts.*
        from {{ ref('fact_market_data') }} as facts
        where
            facts.coin_id = touched_hours.coin_id
            and facts.snapshot_at >= touched_hours.hour_at
            and facts.snapshot_at < touched_hours.hour_at + interval '1 hour'
        order by facts.snapshot_at desc
        limit 1
    ) as last_fact

)

select * from final
