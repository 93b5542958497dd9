with

market_days as (

    select
        min((snapshot_at at time zone 'utc')::date) as first_day,
        max((snapshot_at at time zone 'utc')::date) as last_day

    from {{ ref('fact_market_data') }}

),

spine as (

    select generate_series(first_day, last_day, interval '1 day')::date as date_day
    from market_days

),

final as (

    select
        date_day,
        extract(year from date_day)::integer as year,
        extract(quarter from date_day)::integer as quarter,
        extract(month from date_day)::integer as month,
        extract(week from date_day)::integer as week,
        extract(isodow from date_day)::integer as day_of_week,
        extract(isodow from date_day) in (6, 7) as is_weekend

    from spine

)

select * from final
