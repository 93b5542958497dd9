{#-
    `model` holds, for every coin and UTC `period` (hour | day) with market facts, exactly the
    newest fact of that period as its point, and no point for a period without facts. The point's
    period column is `hour_at` (hour) or `date_day` (day).
-#}
{% test holds_newest_fact_per_period(model, period) %}
{% set period_column = {'hour': 'hour_at', 'day': 'date_day'}[period] %}
{% set period_of_fact = {
    'hour': "date_trunc('hour', snapshot_at, 'utc')",
    'day': "(snapshot_at at time zone 'utc')::date",
}[period] %}

with

market_data as (

    select * from {{ ref('fact_market_data') }}

),

points as (

    select * from {{ model }}

),

newest_facts as (

    select
        coin_id,
        {{ period_of_fact }} as period_start,
        max(snapshot_at) as snapshot_at

    from market_data
    group by 1, 2

),

final as (

    select
        coalesce(newest_facts.coin_id, points.coin_id) as coin_id,
        coalesce(newest_facts.period_start, points.{{ period_column }}) as period_start,
        newest_facts.snapshot_at as newest_fact_at,
        points.snapshot_at as point_at

    from newest_facts
    full outer join points
        on
            newest_facts.coin_id = points.coin_id
            and newest_facts.period_start = points.{{ period_column }}
    where newest_facts.snapshot_at is distinct from points.snapshot_at

)

select * from final

{% endtest %}
