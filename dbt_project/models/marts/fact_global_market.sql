{{ config(materialized='view') }}

{#-
    A view: the totals are a projection of the raw `/global` rows, current as soon as dlt loads
    one, so no tick rebuilds it (only a change of this SQL does, orchestration/warehouse/automation.py).
-#}

with

global_market as (

    select * from {{ ref('stg_global_market') }}

),

final as (

    select
        snapshot_at,
        active_cryptocurrencies,
        market_count,
        total_market_cap_usd,
        total_volume_24h_usd,
        btc_dominance_pct,
        eth_dominance_pct,
        market_cap_change_24h_pct

    from global_market

)

select * from final
