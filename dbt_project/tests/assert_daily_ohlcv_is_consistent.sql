-- A day's low is at most its open and close, which are at most its high.
select
    coin_id,
    date_day,
    open,
    high,
    low,
    close

from {{ ref('fact_daily_ohlcv') }}
where
    low > open
    or low > close
    or open > high
    or close > high
