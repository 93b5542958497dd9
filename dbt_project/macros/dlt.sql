{#-
    dlt's load of a row as a timestamp: `_dlt_load_id` is the load's start in epoch seconds, as
    text (e.g. '1733011200.123456').
-#}
{% macro dlt_loaded_at(load_id_column='_dlt_load_id') -%}
    to_timestamp({{ load_id_column }}::numeric)
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
