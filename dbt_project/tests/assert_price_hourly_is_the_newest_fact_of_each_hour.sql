{{ config(meta={'dagster': {'ref': {'name': 'fact_price_hourly'}}}) }}

-- Every UTC hour with facts has exactly its newest fact as its point, and no other hour has one.
with

market_data as (

    select * from {{ ref('fact_market_data') }}

),

points as (

    select * from {{ ref('fact_price_hourly') }}

),

newest_facts as (

    select
        coin_id,
        date_trunc('hour', snapshot_at, 'utc') as hour_at,
        max(snapshot_at) as snapshot_at

    from market_data
    group by 1, 2

),

final as (

    select
        coalesce(newest_facts.coin_id, points.coin_id) as coin_id,
        coalesce(newest_facts.hour_at, points.hour_at) as hour_at,
        newest_facts.snapshot_at as newest_fact_at,
        points.snapshot_at as point_at

    from newest_facts
    full outer join points
        on
            newest_facts.coin_id = points.coin_id
            and newest_facts.hour_at = points.hour_at
    where newest_facts.snapshot_at is distinct from points.snapshot_at

)

select * from final
