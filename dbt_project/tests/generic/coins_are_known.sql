{#-
    Referential integrity: every coin id in `columns` of `model` is a coin of dim_coin.
-#}
{% test coins_are_known(model, columns) %}
{{ config(**quality_check_config(grade='error', blocks_build=true)) }}

with

coins as (

    select coin_id from {{ ref('dim_coin') }}

),

orphans as (

    {% for column in columns -%}
        select {{ column }} as coin_id
        from {{ model }}
        where {{ column }} not in (select coins.coin_id from coins)
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

by_coin as (

    select
        coin_id,
        count(*) as row_count

    from orphans
    group by 1

),

verdict as (

    select
        count(*) = 0 as passed,
        coalesce(sum(row_count), 0) || ' rows of {{ model.identifier }} point at '
        || count(*) || ' unknown coins' as description,
        coalesce(sum(row_count), 0) as orphan_rows,
        coalesce(
            (array_agg(coin_id order by row_count desc, coin_id asc))[1:20], '{}'
        ) as unknown_coins

    from by_coin

)

select * from verdict

{% endtest %}
