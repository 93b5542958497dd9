{#-
    Close-only days: passes while no coin has more than var('close_only_max_pct') % of its last
    `days` daily bars of `model` close-only (grain daily_close: no range to draw a candle from).
    A warning: the bars are right, only poor.
-#}
{% test close_only_share(model, days=90) %}
{{ config(**quality_check_config(grade='warn', blocks_build=false)) }}

with

bars as (

    select
        coin_id,
        date_day,
        grain,
        max(date_day) over (partition by coin_id) as newest_day

    from {{ model }}

),

shares as (

    select
        coin_id,
        count(*) as bars,
        count(*) filter (where grain = 'daily_close') as close_only_bars,
        round(100.0 * count(*) filter (where grain = 'daily_close') / count(*), 1)
            as close_only_pct

    from bars
    where date_day > newest_day - {{ days }}
    group by 1

),

worst as (

    select *

    from shares
    where close_only_pct > {{ var('close_only_max_pct') }}
    order by close_only_pct desc, coin_id asc
    limit 10

),

verdict as (

    select
        count(*) filter (where close_only_pct > {{ var('close_only_max_pct') }}) = 0 as passed,
        count(*) filter (where close_only_pct > {{ var('close_only_max_pct') }}) || ' of '
        || count(*) || ' coins have more than {{ var('close_only_max_pct') }} % close-only'
        || ' days among their last {{ days }}' as description,
        count(*) as checked_coins,
        count(*) filter (
            where close_only_pct > {{ var('close_only_max_pct') }}
        ) as coins_over_limit,
        coalesce(max(close_only_pct), 0) as worst_close_only_pct,
        coalesce(
            (select jsonb_agg(to_jsonb(worst)) from worst), '[]'::jsonb
        ) as examples

    from shares

)

select * from verdict

{% endtest %}
