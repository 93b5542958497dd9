{#-
    The dlt column every staging model carries: `loaded_at`, the load as a timestamp (the marts'
    incremental cursor; `_dlt_load_id` is the load's start in epoch seconds, as text, e.g.
    '1733011200.123456'). Staging needs no deduplication: dlt merges every raw table on its
    primary key (write disposition merge), keeping one row per key, that of the newest load.
-#}
{% macro dlt_load_columns() -%}
    to_timestamp(_dlt_load_id::numeric) as loaded_at
{%- endmacro %}
