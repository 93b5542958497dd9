with

daily_ohlcv as (

    select * from {{ ref('fact_daily_ohlcv') }}

),

with_previous_close as (

    select
        coin_id,
        date_day,
        close,
        lag(close) over by_coin as previous_close,
        lag(date_day) over by_coin as previous_day

    from daily_ohlcv
    window by_coin as (partition by coin_id order by date_day asc)

),

final as (

    select
        coin_id,
        date_day,
        close,
        case when previous_day = date_day - 1 then previous_close end as previous_close,
        case
            when previous_day = date_day - 1 and close > 0 and previous_close > 0
                then ln(close / previous_close)
        end as log_return

    from with_previous_close

)

select * from final
