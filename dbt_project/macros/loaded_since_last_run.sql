{#-
    Incremental filter on dlt loads: the rows of `relation` (its name or alias in the query)
    from loads {{ this }} has not merged yet. dlt merges
    each raw table in one transaction, so a load is merged whole once any row of {{ this }}
    carries its `loaded_at`; loads from a lookback before the newest merged one are looked at,
    since `loaded_at` is when a load started and a long load can commit after a shorter one that
    started later. The tick after a backfill reads the tick's own load, not the backfill again.
    Models using it merge only rows newer than what they hold, so a load read twice changes
    nothing.
-#}
{% macro loaded_since_last_run(relation) -%}
    {%- if is_incremental() -%}
        where
            {{ relation }}.loaded_at > (
                select coalesce(max(loaded_at), '-infinity'::timestamptz)
                    - interval '{{ var("incremental_lookback_minutes") }} minutes'
                from {{ this }}
            )
            and not exists (
                select 1
                from {{ this }} as merged
                where merged.loaded_at = {{ relation }}.loaded_at
            )
    {%- endif -%}
{%- endmacro %}
