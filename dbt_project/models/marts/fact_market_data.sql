{{
    config(
        materialized='incremental',
        unique_key=['coin_id', 'snapshot_at'],
        incremental_strategy='merge',
        indexes=[
            {'columns': ['coin_id', 'snapshot_at'], 'unique': True},
            {'columns': ['snapshot_at']},
        ],
    )
}}

with

snapshots as (

    select * from {{ ref('stg_markets') }}
    {{ loaded_since_last_run() }}

),

history as (

    select * from {{ ref('stg_market_chart') }}
    {{ loaded_since_last_run() }}

),

snapshot_facts as (

    select
        coin_id,
        snapshot_at,
        price_usd,
        market_cap_usd,
        volume_24h_usd,
        price_change_24h_pct,
        circulating_supply,
        market_cap_rank,
        price_change_1h_pct,
        price_change_7d_pct,
        high_24h_usd,
        low_24h_usd,
        total_supply,
        max_supply,
        ath_usd,
        atl_usd,
        fully_diluted_valuation_usd,
        'snapshot' as source,
        loaded_at

    from snapshots

),

history_facts as (

    select
        coin_id,
        snapshot_at,
        price_usd,
        market_cap_usd,
        volume_24h_usd,
        null::double precision as price_change_24h_pct,
        null::double precision as circulating_supply,
        null::integer as market_cap_rank,
        null::double precision as price_change_1h_pct,
        null::double precision as price_change_7d_pct,
        null::double precision as high_24h_usd,
        null::double precision as low_24h_usd,
        null::double precision as total_supply,
        null::double precision as max_supply,
        null::double precision as ath_usd,
        null::double precision as atl_usd,
        null::double precision as fully_diluted_valuation_usd,
        'history' as source,
        loaded_at

    from history

),

unioned as (

    select * from snapshot_facts
    union all
    select * from history_facts

),

deduplicated as (

    -- a /coins/markets snapshot carries more fields than a history point at the same instant
    select distinct on (coin_id, snapshot_at) *
    from unioned
    where price_usd is not null
    order by coin_id asc, snapshot_at asc, (source = 'snapshot') desc, loaded_at desc

),

final as (

    select deduplicated.* from deduplicated
    {% if is_incremental() %}
        -- nor may a history point loaded later (a backfill, the daily history load) replace a
        -- snapshot an earlier run merged: the merge would null its snapshot-only columns
        where
            deduplicated.source = 'snapshot'
            or not exists (
                select 1
                from {{ this }} as merged
                where
                    merged.coin_id = deduplicated.coin_id
                    and merged.snapshot_at = deduplicated.snapshot_at
                    and merged.source = 'snapshot'
            )
    {% endif %}

)

select * from final
