{{ config(meta={'dagster': {'ref': {'name': 'fact_price_daily'}}}) }}

-- Every UTC day with facts has exactly its newest fact as its point, and no other day has one.
with

market_data as (

    select * from {{ ref('fact_market_data') }}

),

points as (

    select * from {{ ref('fact_price_daily') }}

),

newest_facts as (

    select
        coin_id,
        (snapshot_at at time zone 'utc')::date as date_day,
        max(snapshot_at) as snapshot_at

    from market_data
    group by 1, 2

),

final as (

    select
        coalesce(newest_facts.coin_id, points.coin_id) as coin_id,
        coalesce(newest_facts.date_day, points.date_day) as date_day,
        newest_facts.snapshot_at as newest_fact_at,
        points.snapshot_at as point_at

    from newest_facts
    full outer join points
        on
            newest_facts.coin_id = points.coin_id
            and newest_facts.date_day = points.date_day
    where newest_facts.snapshot_at is distinct from points.snapshot_at

)

select * from final
