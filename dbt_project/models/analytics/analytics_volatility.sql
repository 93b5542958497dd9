with

daily_returns as (

    select * from {{ ref('analytics_daily_returns') }}

),

periods as (

    {{ analytics_periods_relation() }}

),

as_of as (

    {{ analytics_as_of_relation() }}

),

period_closes as (

    -- N returns need N + 1 closes: the window starts one day before the first return
    select
        daily_returns.coin_id,
        periods.period_days,
        as_of.as_of_date,
        daily_returns.date_day,
        daily_returns.close,
        case
            when daily_returns.date_day > as_of.as_of_date - periods.period_days
                then daily_returns.log_return
        end as log_return

    from daily_returns
    cross join periods
    cross join as_of
    where
        daily_returns.date_day between as_of.as_of_date - periods.period_days
        and as_of.as_of_date

),

drawdowns as (

    select
        *,
        1 - close / max(close) over (
            partition by coin_id, period_days
            order by date_day asc
            rows between unbounded preceding and current row
        ) as drawdown

    from period_closes

),

period_stats as (

    select
        coin_id,
        period_days,
        as_of_date,
        count(log_return) as return_count,
        avg(log_return) as mean_daily_return,
        stddev_samp(log_return) as daily_volatility,
        max(drawdown) as max_drawdown

    from drawdowns
    group by 1, 2, 3

),

final as (

    select
        coin_id,
        period_days,
        as_of_date,
        daily_volatility * sqrt(365) as volatility,
        max_drawdown,
        (mean_daily_return * 365 - {{ var('risk_free_rate') }})
        / nullif(daily_volatility * sqrt(365), 0) as sharpe_ratio,
        mean_daily_return * 365 as annualized_return,
        return_count,
        now() as computed_at

    from period_stats
    where return_count = period_days

)

select * from final
