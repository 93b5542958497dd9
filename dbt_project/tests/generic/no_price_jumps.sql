{#-
    Anomaly: no coin's newest price jump (log return since its previous observation in `model`)
    has a robust z-score above `z_threshold` against its daily log returns of the last
    `lookback_days` days. Robust: median and 1.4826 × MAD, so one bad tick cannot widen its own
    yardstick. A Gaussian move of 8 such deviations essentially never happens; a bad tick does.
    Coins with fewer than `min_returns` daily returns, or none that vary, are not scored.
-#}
{% test no_price_jumps(model, z_threshold=8, lookback_days=30, min_returns=7) %}
{{ config(**quality_check_config(grade='warn', blocks_build=false)) }}

with

recent as (

    select
        coin_id,
        snapshot_at,
        price_usd

    from {{ model }}
    where
        price_usd > 0
        and snapshot_at > (select max(snapshot_at) from {{ model }})
        - make_interval(days => {{ lookback_days }} + 1)

),

daily_closes as (

    -- grouped, not `distinct on`: hashing the window's rows by coin and day is several times
    -- cheaper than sorting them all
    select
        coin_id,
        (snapshot_at at time zone 'utc')::date as date_day,
        (array_agg(price_usd order by snapshot_at desc))[1] as price_usd

    from recent
    group by 1, 2

),

daily_returns as (

    select
        coin_id,
        ln(price_usd / lag(price_usd) over (partition by coin_id order by date_day))
            as daily_return

    from daily_closes

),

medians as (

    select
        coin_id,
        percentile_cont(0.5) within group (order by daily_return) as median_return,
        count(daily_return) as return_count

    from daily_returns
    where daily_return is not null
    group by 1

),

spreads as (

    select
        daily_returns.coin_id,
        medians.median_return,
        medians.return_count,
        1.4826 * percentile_cont(0.5) within group (
            order by abs(daily_returns.daily_return - medians.median_return)
        ) as robust_sd

    from daily_returns
    inner join medians on daily_returns.coin_id = medians.coin_id
    where daily_returns.daily_return is not null
    group by 1, 2, 3

),

newest as (

    -- each coin's newest price and the one before it: two index probes per coin, not a window
    -- over the whole lookback
    select
        coins.coin_id,
        newest_two.snapshot_at,
        newest_two.price_usd,
        newest_two.previous_price

    from (select distinct coin_id from recent) as coins
    cross join lateral (
        select
            last_two.snapshot_at,
            last_two.price_usd,
            lead(last_two.price_usd) over (order by last_two.snapshot_at desc) as previous_price

        from (
            select
                facts.snapshot_at,
                facts.price_usd

            from {{ model }} as facts
            where facts.coin_id = coins.coin_id and facts.price_usd > 0
            order by facts.snapshot_at desc
            limit 2
        ) as last_two
        order by last_two.snapshot_at desc
        limit 1
    ) as newest_two

),

scored as (

    select
        newest.coin_id,
        newest.snapshot_at,
        newest.price_usd / newest.previous_price as price_ratio,
        (ln(newest.price_usd / newest.previous_price) - spreads.median_return)
        / spreads.robust_sd as z_score

    from newest
    inner join spreads on newest.coin_id = spreads.coin_id
    where
        newest.previous_price is not null
        and spreads.return_count >= {{ min_returns }}
        and spreads.robust_sd > 0

),

anomalies as (

    select
        coin_id,
        snapshot_at,
        price_ratio,
        z_score

    from scored
    where abs(z_score) > {{ z_threshold }}
    order by abs(z_score) desc
    limit 20

),

worst as (

    select
        coin_id,
        z_score

    from scored
    order by abs(z_score) desc
    limit 1

),

verdict as (

    select
        not exists (select 1 from anomalies) as passed,
        (select count(*) from scored where abs(z_score) > {{ z_threshold }})
        || ' of ' || (select count(*) from scored) || ' coins jumped implausibly'
        || coalesce(
            ' (worst ' || (select coin_id from worst)
            || ', z = ' || round((select z_score from worst)::numeric, 1) || ')',
            ''
        ) as description,
        {{ z_threshold }} as z_threshold,
        (select count(*) from scored) as coins_scored,
        (select abs(z_score) from worst) as max_abs_z,
        coalesce(
            (
                select jsonb_agg(jsonb_build_object(
                    'coin_id', coin_id,
                    'snapshot_at', snapshot_at::text,
                    'price_ratio', round(price_ratio::numeric, 6),
                    'z_score', round(z_score::numeric, 2)
                ) order by abs(z_score) desc)
                from anomalies
            ),
            '[]'::jsonb
        ) as anomalies

)

select * from verdict

{% endtest %}
