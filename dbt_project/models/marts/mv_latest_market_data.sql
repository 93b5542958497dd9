{{
    config(
        materialized='materialized_view',
        indexes=[
            {'columns': ['coin_id'], 'unique': True},
            {'columns': ['market_cap_rank']},
        ],
    )
}}

{#-
    Every upstream is incremental on purpose: dbt rebuilds table/view models by swapping and
    dropping the old relation with cascade, which would silently drop this view each run.
-#}

with

coins as (

    select * from {{ ref('dim_coin') }}

),

sparklines as (

    select * from {{ ref('fact_coin_sparkline') }}

),

latest_facts as (

    -- one index probe per coin instead of a scan of the whole history
    select market_data.*
    from coins
    cross join lateral (
        select facts.*
        from {{ ref('fact_market_data') }} as facts
        where facts.coin_id = coins.coin_id and facts.source = 'snapshot'
        order by facts.snapshot_at desc
        limit 1
    ) as market_data

),

final as (

    select
        coins.coin_id,
        coins.symbol,
        coins.name,
        coins.image_url,
        coalesce(latest_facts.market_cap_rank, coins.market_cap_rank) as market_cap_rank,
        coins.category,
        latest_facts.snapshot_at,
        latest_facts.price_usd,
        latest_facts.market_cap_usd,
        latest_facts.volume_24h_usd,
        latest_facts.price_change_1h_pct,
        latest_facts.price_change_24h_pct,
        latest_facts.price_change_7d_pct,
        latest_facts.high_24h_usd,
        latest_facts.low_24h_usd,
        latest_facts.circulating_supply,
        latest_facts.total_supply,
        latest_facts.max_supply,
        latest_facts.ath_usd,
        latest_facts.atl_usd,
        latest_facts.fully_diluted_valuation_usd,
        coalesce(sparklines.sparkline_7d, '[]'::jsonb) as sparkline_7d

    from coins
    inner join latest_facts
        on coins.coin_id = latest_facts.coin_id
    left join sparklines
        on coins.coin_id = sparklines.coin_id

)

select * from final
