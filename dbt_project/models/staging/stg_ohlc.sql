with

source as (

    select * from {{ source('raw', 'ohlc') }}

),

renamed as (

    select
        coin_id::text as coin_id,
        ts as candle_close_at,
        open::double precision as open,
        high::double precision as high,
        low::double precision as low,
        close::double precision as close,
        {{ dlt_load_columns() }}

    from source

    where coin_id is not null and ts is not null

),

final as (

    select
        coin_id,
        candle_close_at,
        open,
        high,
        low,
        close,
        loaded_at

    from renamed

)

select * from final
