{#- Readers never block on a refresh: `concurrently` needs the MV's unique index (on coin_id). -#}
{% macro postgres__refresh_materialized_view(relation) %}
    refresh materialized view concurrently {{ relation }}
{% endmacro %}
