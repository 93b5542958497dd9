{#-
    A composite key: no two rows of `model` share the values of all `combination_of_columns`
    (a list of column names), as dbt_utils.unique_combination_of_columns. Each failing row is one
    duplicated combination and its row count.
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with

validation_errors as (

    select
        {{ combination_of_columns | join(', ') }},
        count(*) as row_count

    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1

)

select * from validation_errors

{% endtest %}
