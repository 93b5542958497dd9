{#-
    OHLCV consistency: every bar of `model` has positive prices with low ≤ open, close ≤ high
    (a bar with a missing price is inconsistent too).
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
        coalesce(
            low > 0 and low <= open and low <= close and open <= high and close <= high,
            false
        ) as is_consistent

    from {{ model }}

),

inconsistent as (

    select *

    from bars
    where not is_consistent
    order by date_day desc
    limit 10

),

verdict as (

    select
        count(*) filter (where not is_consistent) = 0 as passed,
        count(*) filter (where not is_consistent) || ' of ' || count(*)
        || ' daily bars are inconsistent' as description,
        count(*) as checked_rows,
        count(*) filter (where not is_consistent) as inconsistent_rows,
        coalesce(
            (select jsonb_agg(to_jsonb(inconsistent) - 'is_consistent') from inconsistent), '[]'::jsonb
        ) as examples

    from bars

)

select * from verdict

{% endtest %}
