with

daily_returns as (

    select * from {{ ref('analytics_daily_returns') }}

),

coins as (

    select * from {{ ref('dim_coin') }}

),

periods as (

    {{ analytics_periods_relation() }}

),

as_of as (

    {{ analytics_as_of_relation() }}

),

top_coins as (

    -- ranks of coins that left the top list go stale: rank only the newest markets load
    select coins.coin_id
    from coins
    where coins.loaded_at = (select max(newest.loaded_at) from coins as newest)
    order by coins.market_cap_rank asc nulls last, coins.coin_id asc
    limit {{ var('correlation_top_n') }}

),

period_returns as (

    select
        daily_returns.coin_id,
        periods.period_days,
        as_of.as_of_date,
        daily_returns.date_day,
        daily_returns.log_return

    from daily_returns
    inner join top_coins
        on daily_returns.coin_id = top_coins.coin_id
    cross join periods
    cross join as_of
    where
        daily_returns.date_day > as_of.as_of_date - periods.period_days
        and daily_returns.date_day <= as_of.as_of_date
        and daily_returns.log_return is not null

),

coin_returns as (

    -- one ordered array per coin and period; coins with fewer than N returns get no row
    select
        coin_id,
        period_days,
        as_of_date,
        array_agg(log_return order by date_day asc) as log_returns

    from period_returns
    group by 1, 2, 3
    having count(*) = period_days

),

pairs as (

    -- complete coins share the same N days, so equal array positions are the same day
    select
        coin_a.coin_id as coin_a_id,
        coin_b.coin_id as coin_b_id,
        coin_a.period_days,
        coin_a.as_of_date,
        corr(same_day.return_a, same_day.return_b) as pearson

    from coin_returns as coin_a
    inner join coin_returns as coin_b
        on coin_a.period_days = coin_b.period_days
    cross join
        lateral unnest(coin_a.log_returns, coin_b.log_returns) as same_day (return_a, return_b)
    group by 1, 2, 3, 4

),

final as (

    select
        coin_a_id,
        coin_b_id,
        period_days,
        as_of_date,
        case
            when coin_a_id = coin_b_id then 1.0::double precision
            else greatest(-1.0, least(1.0, pearson))
        end as correlation,
        now() as computed_at

    from pairs
    where pearson is not null or coin_a_id = coin_b_id

)

select * from final
