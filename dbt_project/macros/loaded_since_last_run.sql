{#-
    Incremental filter on dlt's load time: re-read loads from a short lookback before the newest
    load already in {{ this }}, so a load committed late is never skipped (merges are idempotent).
-#}
{% macro loaded_since_last_run(loaded_at_column='loaded_at') -%}
    {%- if is_incremental() -%}
        where {{ loaded_at_column }} > (
            select coalesce(max(loaded_at), '-infinity'::timestamptz)
                - interval '{{ var("incremental_lookback_minutes") }} minutes'
            from {{ this }}
        )
    {%- endif -%}
{%- endmacro %}
