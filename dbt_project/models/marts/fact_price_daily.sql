{{
    config(
        materialized='incremental',
        unique_key=['coin_id', 'date_day'],
        incremental_strategy='delete+insert',
        indexes=[
            {'columns': ['coin_id', 'date_day'], 'unique': True},
            {'columns': ['coin_id', 'snapshot_at'], 'unique': True},
        ],
    )
}}

{#-
    The daily price history (GET /coins/{id}/history beyond 90 days): the last observation of
    each UTC day. Unlike fact_daily_ohlcv (rebuilt daily), it follows every ingest, so its
    newest point is the newest snapshot. A run rebuilds only the (coin, day) points that newly
    loaded facts fall in.
-#}

with

market_data as (

    select * from {{ ref('fact_market_data') }}

),

touched_days as (

    select distinct
        coin_id,
        (snapshot_at at time zone 'utc')::date as date_day

    from market_data
    {{ loaded_since_last_run() }}

),

final as (

    -- one index probe per day for its newest fact, loaded by this run or not (the table, not
    -- the market_data CTE, so the probe uses its (coin_id, snapshot_at) index)
    select
        touched_days.coin_id,
        touched_days.date_day,
        last_fact.snapshot_at,
        last_fact.price_usd,
        last_fact.market_cap_usd,
        last_fact.volume_24h_usd,
        last_fact.loaded_at

    from touched_days
    cross join lateral (
        select facts.*
        from {{ ref('fact_market_data') }} as facts
        where
            facts.coin_id = touched_days.coin_id
            and facts.snapshot_at >= touched_days.date_day::timestamp at time zone 'utc'
            and facts.snapshot_at < (touched_days.date_day + 1)::timestamp at time zone 'utc'
        order by facts.snapshot_at desc
        limit 1
    ) as last_fact

)

select * from final
