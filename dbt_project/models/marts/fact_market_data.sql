{{
    config(
        materialized='incremental',
        unique_key=['coin_id', 'snapshot_at'],
        incremental_strategy='merge',
        indexes=[
            {'columns': ['coin_id', 'snapshot_at'], 'unique': True},
            {'columns': ['snapshot_at']},
            {'columns': ['loaded_at']},
            {'columns': ['merged_at']},
        ],
        pre_hook=[
            "{{ serialize_merges() }}",
        ],
    )
}}

{#-
    `merged_at` says when a run merged (inserted or replaced) the row: the models built from
    these facts rebuild only the periods of rows merged since their own last run
    (macro facts_merged_since_last_run). Runs merge one at a time (serialize_merges), so a row
    committed later never carries an earlier `merged_at`.
-#}

with

snapshots as (

    select * from {{ ref('stg_markets') }} as stg_markets
    {{ loaded_since_last_run('stg_markets') }}

),

history as (

    select * from {{ ref('stg_market_chart') }} as stg_market_chart
    {{ loaded_since_last_run('stg_market_chart') }}

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

    select
        deduplicated.*,
        statement_timestamp() as merged_at

    from deduplicated
    {% if is_incremental() %}
        -- merge only what is newer than the fact held: a snapshot over a history point, or the
        -- same source from a later load. A history point never replaces a snapshot (the merge
        -- would null its snapshot-only columns), and a load read again changes nothing.
        where not exists (
            select 1
            from {{ this }} as merged
            where
                merged.coin_id = deduplicated.coin_id
                and merged.snapshot_at = deduplicated.snapshot_at
                and (
                    (merged.source = 'snapshot' and deduplicated.source = 'history')
                    or (
                        merged.source = deduplicated.source
                        and merged.loaded_at >= deduplicated.loaded_at
                    )
                )
        )
    {% endif %}

)

select * from final
