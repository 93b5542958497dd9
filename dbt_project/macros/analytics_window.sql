{#- The analytics periods as a one-column relation, from var('analytics_periods'). -#}
{% macro analytics_periods_relation() -%}
    select unnest(array[{{ var('analytics_periods') | join(', ') }}]) as period_days
{%- endmacro %}

{#-
    The latest complete UTC day: the newest day in fact_daily_ohlcv is still being filled by the
    10-minute snapshots, so every period ends the day before it.
-#}
{% macro analytics_as_of_relation() -%}
    select max(date_day) - 1 as as_of_date from {{ ref('fact_daily_ohlcv') }}
{%- endmacro %}
