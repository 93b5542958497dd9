{#-
    Schema: every column `model`'s yml documents exists in the built relation, so a renamed
    column fails here before it breaks a page. The columns come from the yml (their one
    definition, see documented_columns) and are looked up in pg_attribute, which, unlike
    information_schema, also lists a materialized view's columns.
-#}
{% test documented_columns_exist(model) %}
{{ config(**quality_check_config(grade='error', blocks_build=true)) }}
{% set documented = documented_columns(model) %}

with

expected as (

    select unnest(array['{{ documented | join("', '") }}']::text []) as column_name

),

present as (

    select attname::text as column_name

    from pg_attribute
    where
        attrelid = to_regclass('{{ model.schema }}.{{ model.identifier }}')
        and attnum > 0
        and not attisdropped

),

missing as (

    select column_name

    from expected
    where column_name not in (select present.column_name from present)

),

verdict as (

    select
        not exists (select 1 from missing) as passed,
        case
            when not exists (select 1 from present)
                then '{{ model.schema }}.{{ model.identifier }} does not exist'
            when exists (select 1 from missing)
                then 'missing columns: '
                || (select string_agg(column_name, ', ') from missing)
            else 'all ' || (select count(*) from expected) || ' expected columns present'
        end as description,
        array(select column_name from missing) as missing_columns,
        array(select column_name from expected) as expected_columns

)

select * from verdict

{% endtest %}
