with

source as (

    select * from {{ source('raw', 'global_market') }}

),

renamed as (

    select
        updated_at as snapshot_at,
        active_cryptocurrencies::integer as active_cryptocurrencies,
        markets::integer as market_count,
        total_market_cap_usd::double precision as total_market_cap_usd,
        total_volume_usd::double precision as total_volume_24h_usd,
        market_cap_percentage_btc::double precision as btc_dominance_pct,
        market_cap_percentage_eth::double precision as eth_dominance_pct,
        market_cap_change_percentage_24h_usd::double precision as market_cap_change_24h_pct,
        {{ dlt_load_columns() }}

    from source

    where updated_at is not null

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
        market_cap_change_24h_pct,
        loaded_at

    from renamed

)

select * from final
