{#-
    OHLCV consistency: every bar of `model` has positive prices with low ≤ open, close ≤ high
    (a bar with a missing price is inconsistent too), a known grain, and the points its grain
    needs: a whole day (any but the coin's newest) at least the macro ohlcv_grain_min_points of
    its grain over 24 hours (72 for snapshots, 12 hourly, 3 four-hour candles), the newest day at
    least 2; a daily_close bar at least 1.
-#}
{% test ohlc_consistent(model) %}
{{ config(**quality_check_config(grade='error', blocks_build=true)) }}

with

bars as (

    select
        coin_id,
        date_day,
        open,
        high,
        low,
        close,
        grain,
        points,
        date_day = max(date_day) over (partition by coin_id) as is_newest_day

    from {{ model }}

),

required as (

    select
        *,
        case grain
            {% for grain in ohlcv_grains() if grain != 'daily_close' %}
                when '{{ grain }}' then case
                    when is_newest_day then 2
                    else {{ ohlcv_grain_min_points(grain, 86400) }}
                end
            {% endfor %}
            when 'daily_close' then 1
        end as points_required

    from bars

),

checked as (

    select
        coin_id,
        date_day,
        open,
        high,
        low,
        close,
        grain,
        points,
        points_required,
        coalesce(
            low > 0 and low <= open and low <= close and open <= high and close <= high
            and points >= points_required,
            false
        ) as is_consistent

    from required

),

inconsistent as (

    select *

    from checked
    where not is_consistent
    order by date_day desc
    limit 10

),

verdict as (

    select
        count(*) filter (where not is_consistent) = 0 as passed,
        count(*) filter (where not is_consistent) || ' of ' || count(*)
        || ' daily bars are inconsistent (prices out of order, or a grain finer than'
        || ' their points support)' as description,
        count(*) as checked_rows,
        count(*) filter (where not is_consistent) as inconsistent_rows,
        coalesce(
            (select jsonb_agg(to_jsonb(inconsistent) - 'is_consistent') from inconsistent), '[]'::jsonb
        ) as examples

    from checked

)

select * from verdict

{% endtest %}
