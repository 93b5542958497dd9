with

source as (

    select * from {{ source('raw', 'market_chart') }}

),

renamed as (

    select
        coin_id::text as coin_id,
        ts as snapshot_at,
        price::double precision as price_usd,
        market_cap::double precision as market_cap_usd,
        total_volume::double precision as volume_24h_usd,
        {{ dlt_load_columns() }}

    from source

    where coin_id is not null and ts is not null

),

final as (

    select
        coin_id,
        snapshot_at,
        price_usd,
        market_cap_usd,
        volume_24h_usd,
        loaded_at

    from renamed

)

select * from final
