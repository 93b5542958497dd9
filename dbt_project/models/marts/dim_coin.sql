{{
    config(
        materialized='incremental',
        unique_key='coin_id',
        incremental_strategy='merge',
    )
}}

{#-
    Incremental, not a table: mv_latest_market_data selects from it (a table would be dropped
    with cascade on every run).
-#}

with

snapshots as (

    select * from {{ ref('stg_markets') }} as stg_markets
    {{ loaded_since_last_run('stg_markets') }}

),

categories as (

    select * from {{ ref('coin_categories') }}

),

latest_snapshots as (

    select distinct on (coin_id) *
    from snapshots
    order by coin_id asc, snapshot_at desc

),

final as (

    select
        latest_snapshots.coin_id,
        latest_snapshots.symbol,
        latest_snapshots.name,
        latest_snapshots.image_url,
        latest_snapshots.market_cap_rank,
        coalesce(categories.category, 'other') as category,
        latest_snapshots.snapshot_at as last_snapshot_at,
        latest_snapshots.loaded_at

    from latest_snapshots
    left join categories
        on latest_snapshots.coin_id = categories.coin_id
    {% if is_incremental() %}
        -- a load read again, or one older than the coin's newest snapshot, changes nothing
        where not exists (
            select 1
            from {{ this }} as merged
            where
                merged.coin_id = latest_snapshots.coin_id
                and merged.last_snapshot_at > latest_snapshots.snapshot_at
        )
    {% endif %}

)

select * from final
