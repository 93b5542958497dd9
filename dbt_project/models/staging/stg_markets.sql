with

source as (

    select * from {{ source('raw', 'markets') }}

),

renamed as (

    select
        id::text as coin_id,
        symbol::text as symbol,
        name::text as name,
        image::text as image_url,
        last_updated as snapshot_at,
        current_price::double precision as price_usd,
        market_cap::double precision as market_cap_usd,
        market_cap_rank::integer as market_cap_rank,
        fully_diluted_valuation::double precision as fully_diluted_valuation_usd,
        total_volume::double precision as volume_24h_usd,
        high_24h::double precision as high_24h_usd,
        low_24h::double precision as low_24h_usd,
        price_change_24h::double precision as price_change_24h_usd,
        price_change_percentage_24h::double precision as price_change_24h_pct,
        price_change_percentage_1h_in_currency::double precision as price_change_1h_pct,
        price_change_percentage_7d_in_currency::double precision as price_change_7d_pct,
        circulating_supply::double precision as circulating_supply,
        total_supply::double precision as total_supply,
        max_supply::double precision as max_supply,
        ath::double precision as ath_usd,
        atl::double precision as atl_usd,
        sparkline_in_7d -> 'price' as sparkline_7d,
        {{ dlt_load_columns() }}

    from source

    where id is not null and last_updated is not null

),

final as (

    select
        coin_id,
        symbol,
        name,
        image_url,
        snapshot_at,
        price_usd,
        market_cap_usd,
        market_cap_rank,
        fully_diluted_valuation_usd,
        volume_24h_usd,
        high_24h_usd,
        low_24h_usd,
        price_change_24h_usd,
        price_change_24h_pct,
        price_change_1h_pct,
        price_change_7d_pct,
        circulating_supply,
        total_supply,
        max_supply,
        ath_usd,
        atl_usd,
        sparkline_7d,
        loaded_at

    from renamed

)

select * from final
