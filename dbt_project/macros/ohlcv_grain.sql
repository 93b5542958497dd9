{#-
    The points a daily bar needs to have `grain` when `observed_s` seconds of its day are observed:
    half of what the grain's spacing (var ohlcv_grain_spacing_s) gives over that time, at least 2.
-#}
{% macro ohlcv_grain_min_points(grain, observed_s) -%}
    greatest(2, ceil(({{ observed_s }}) / {{ var('ohlcv_grain_spacing_s')[grain] }} / 2.0))
{%- endmacro %}

{#- The grains of fact_daily_ohlcv, finest first; `daily_close` is a day with only a close. -#}
{% macro ohlcv_grains() -%}
    {{ return(['snapshots', 'hourly', 'ohlc_4h', 'daily_close']) }}
{%- endmacro %}
