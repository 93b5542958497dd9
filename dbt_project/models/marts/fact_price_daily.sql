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
    merged facts fall in.
-#}

with

market_data as (

    select * from {{ ref('fact_market_data') }}

),

touched_days as (

    {{ touched_periods(
        'market_data',
        "(snapshot_at at time zone 'utc')::date",
        'date_day',
        facts_merged_since_last_run(),
    ) }}

),

final as (

    {{ newest_fact_of_each_period(
        'touched_days',
        'date_day',
        "touched_days.date_day::timestamp at time zone 'utc'",
        "(touched_days.date_day + 1)::timestamp at time zone 'utc'",
    ) }}

)

select * from final
