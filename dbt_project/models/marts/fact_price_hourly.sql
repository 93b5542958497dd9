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
    points that newly merged facts fall in.
-#}

with

market_data as (

    select * from {{ ref('fact_market_data') }}

),

touched_hours as (

    {{ touched_periods(
        'market_data',
        "date_trunc('hour', snapshot_at, 'utc')",
        'hour_at',
        facts_merged_since_last_run(),
    ) }}

),

final as (

    {{ newest_fact_of_each_period(
        'touched_hours',
        'hour_at',
        'touched_hours.hour_at',
        "touched_hours.hour_at + interval '1 hour'",
    ) }}

)

select * from final
