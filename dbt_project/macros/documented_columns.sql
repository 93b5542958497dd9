{#-
    The column names the yml documents for the model built as `relation`, in yml order; empty
    while dbt parses (the project graph is only there at execution).
-#}
{% macro documented_columns(relation) -%}
    {%- set columns = [] -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.resource_type == 'model' and node.schema == relation.schema
                and node.alias == relation.identifier -%}
                {%- do columns.extend(node.columns.keys()) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(columns) }}
{%- endmacro %}
