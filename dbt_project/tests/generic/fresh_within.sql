{#-
    Freshness: the newest `column_name` of `model` is at most `max_age_minutes` old.
-#}
{% test fresh_within(model, column_name, max_age_minutes) %}
{{ config(**quality_check_config(grade='error', blocks_build=false)) }}

with

newest as (

    select
        max({{ column_name }}) as newest_at,
        round(extract(epoch from now() - max({{ column_name }})) / 60, 1) as age_minutes

    from {{ model }}

),

verdict as (

    select
        coalesce(age_minutes <= {{ max_age_minutes }}, false) as passed,
        case
            when newest_at is null then '{{ model.identifier }} is empty'
            else 'newest snapshot is ' || age_minutes || ' min old (limit '
                || {{ max_age_minutes }} || ' min)'
        end as description,
        newest_at::text as newest_snapshot_at,
        age_minutes,
        {{ max_age_minutes }} as max_age_minutes

    from newest

)

select * from verdict

{% endtest %}
