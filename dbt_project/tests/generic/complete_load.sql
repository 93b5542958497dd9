{#-
    Completeness: the newest `/coins/markets` load in `model` holds as many coins as the ingest
    requests. The count is the ingest's own setting, CRYPTOFLOW_TOP_N, which the Dagster asset
    (and `cryptoflow dbt-env` for a dbt run by hand) passes to dbt.
-#}
{% test complete_load(model) %}
{{ config(**quality_check_config(grade='error', blocks_build=false)) }}
{% set expected = env_var('CRYPTOFLOW_TOP_N', '') | trim or 'null' %}

with

snapshots as (

    select
        coin_id,
        loaded_at

    from {{ model }}
    where source = 'snapshot'

),

coins as (

    select
        coin_id,
        market_cap_rank

    from {{ ref('dim_coin') }}

),

newest_load as (

    select
        count(distinct coin_id) as found_coins,
        max(loaded_at) as loaded_at

    from snapshots
    where loaded_at = (select max(loaded_at) from snapshots)

),

missing as (

    select coin_id

    from coins
    where coin_id not in (
        select snapshots.coin_id
        from snapshots
        inner join newest_load on snapshots.loaded_at = newest_load.loaded_at
    )
    order by market_cap_rank asc nulls last
    limit 20

),

verdict as (

    select
        coalesce(found_coins = {{ expected }}, false) as passed,
        case
            when {{ expected }} is null
                then 'CRYPTOFLOW_TOP_N is not set: the expected coin count is unknown'
            else found_coins || ' of ' || {{ expected }} || ' coins in the newest snapshot'
        end as description,
        {{ expected }} as expected_coins,
        found_coins,
        loaded_at::text as newest_load_at,
        array(select coin_id from missing) as known_coins_not_in_newest_load

    from newest_load

)

select * from verdict

{% endtest %}
