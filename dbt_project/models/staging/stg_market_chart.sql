with

source as (

    select * from {{ source('raw', 'market_chart') }}

),

renamed as (

    select
        coin_id::text as coin_id,
        ts as observed_at,
        price::double precision as price_usd,
        market_cap::double precision as market_cap_usd,
        total_volume::double precision as volume_24h_usd,
        to_timestamp(_dlt_load_id::numeric) as loaded_at,
        _dlt_load_id as load_id

    from source

    where coin_id is not null and ts is not null

),

deduplicated as (

    select distinct on (coin_id, observed_at) *
    from renamed
    order by coin_id asc, observed_at asc, load_id desc

),

final as (

    select
        coin_id,
        observed_at,
        price_usd,
        market_cap_usd,
        volume_24h_usd,
        loaded_at

    from deduplicated

)

select * from final
