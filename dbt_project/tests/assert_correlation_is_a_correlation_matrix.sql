-- Every coefficient lies in [-1, 1], the diagonal is exactly 1 and the matrix is symmetric.
with

correlation as (

    select * from {{ ref('analytics_correlation') }}

),

out_of_range as (

    select
        coin_a_id,
        coin_b_id,
        period_days,
        'out of [-1, 1]' as problem
    from correlation
    where correlation < -1 or correlation > 1

),

bad_diagonal as (

    select
        coin_a_id,
        coin_b_id,
        period_days,
        'diagonal is not 1' as problem
    from correlation
    where coin_a_id = coin_b_id and correlation != 1

),

not_symmetric as (

    select
        a.coin_a_id,
        a.coin_b_id,
        a.period_days,
        'not symmetric' as problem
    from correlation as a
    left join correlation as b
        on
            a.coin_a_id = b.coin_b_id
            and a.coin_b_id = b.coin_a_id
            and a.period_days = b.period_days
    where b.correlation is null or abs(a.correlation - b.correlation) > 1e-12

)

select * from out_of_range
union all
select * from bad_diagonal
union all
select * from not_symmetric
