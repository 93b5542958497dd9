{#- Exactly `staging`, `marts`, `analytics` (not `<target>_staging`): the API and checks read these names. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ (custom_schema_name or target.schema) | trim }}
{%- endmacro %}
