with

source as (

    select * from {{ source('raw', 'ohlc') }}

),

renamed as (

    select
        coin_id::text as coin_id,
        ts as candle_close_at,
        open::double precision as open_usd,
        high::double precision as high_usd,
        low::double precision as low_usd,
        close::double precision as close_usd,
        to_timestamp(_dlt_load_id::numeric) as loaded_at,
        _dlt_load_id as load_id

    from source

    where coin_id is not null and ts is not null

),

deduplicated as (

    select distinct on (coin_id, candle_close_at) *
    from renamed
    order by coin_id asc, candle_close_at asc, load_id desc

),

final as (

    select
        coin_id,
        candle_close_at,
        open_usd,
        high_usd,
        low_usd,
        close_usd,
        loaded_at

    from deduplicated

)

select * from final
