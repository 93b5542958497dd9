{{
    config(
        materialized='incremental',
        unique_key='coin_id',
        incremental_strategy='merge',
    )
}}

{#-
    Kept apart from fact_market_data so 168 prices are stored once per coin, not once per
    snapshot.
-#}

with

snapshots as (

    select * from {{ ref('stg_markets') }} as stg_markets
    {{ loaded_since_last_run('stg_markets') }}

),

final as (

    select distinct on (coin_id)
        coin_id,
        snapshot_at,
        sparkline_7d,
        loaded_at

    from snapshots
    where
        jsonb_typeof(sparkline_7d) = 'array'
        {% if is_incremental() %}
            -- a load read again, or one older than the sparkline held, changes nothing
            and not exists (
                select 1
                from {{ this }} as merged
                where
                    merged.coin_id = snapshots.coin_id
                    and merged.snapshot_at > snapshots.snapshot_at
            )
        {% endif %}
    order by coin_id asc, snapshot_at desc

)

select * from final
