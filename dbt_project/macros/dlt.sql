{#-
    The dlt columns every staging model carries: `loaded_at`, the load as a timestamp (the marts'
    incremental cursor; `_dlt_load_id` is the load's start in epoch seconds, as text, e.g.
    '1733011200.123456'), and `load_id`, that text, by which `dedupe` keeps the newest load.
-#}
{% macro dlt_load_columns() -%}
    to_timestamp(_dlt_load_id::numeric) as loaded_at,
    _dlt_load_id as load_id
{%- endmacro %}

{#-
    One row per key of `relation`: `partition_by` (a list of columns) is the key, and of the rows
    sharing one the first by `order_by` is kept — by default the newest dlt load (`load_id`, the
    text `_dlt_load_id`, which sorts by time), since a row loaded twice keeps its newest load.
-#}
{% macro dedupe(relation, partition_by, order_by='load_id desc') -%}
    select distinct on ({{ partition_by | join(', ') }}) *
    from {{ relation }}
    order by {{ partition_by | join(' asc, ') }} asc, {{ order_by }}
{%- endmacro %}
