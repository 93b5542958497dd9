{#-
    Incremental filter of the models built from fact_market_data: the facts merged (inserted or
    replaced) since the last run, by fact_market_data's `merged_at` against the watermark each
    row of {{ this }} records (`facts_merged_through`).
-#}
{% macro facts_merged_since_last_run() -%}
    {%- if is_incremental() -%}
        where merged_at > (
            select coalesce(max(facts_merged_through), '-infinity'::timestamptz)
            from {{ this }}
        )
    {%- endif -%}
{%- endmacro %}

{#-
    The watermark a run records: the newest `merged_at` of fact_market_data as this statement
    sees it. Runs merging facts take turns (serialize_merges), so every fact merged up to it was
    committed, and read, by this run.
-#}
{% macro facts_merged_through() -%}
    (select max(merged_at) from {{ ref('fact_market_data') }})
{%- endmacro %}

{#-
    The (coin_id, period) pairs an incremental run rebuilds: those the rows of `relation` that
    pass `since` (an incremental filter: facts_merged_since_last_run, loaded_since_last_run)
    fall in. `period` is the SQL of a row's period, selected as `period_column`.
-#}
{% macro touched_periods(relation, period, period_column, since) -%}
    select distinct
        coin_id,
        {{ period }} as {{ period_column }}

    from {{ relation }}
    {{ since }}
{%- endmacro %}

{#-
    The newest fact_market_data row of each (coin_id, `period_column`) of `touched`, merged by
    this run or not, whose period spans [`period_start`, `period_end`): one index probe per
    period, on the table rather than a CTE over it, so the probe uses its (coin_id, snapshot_at)
    index.
-#}
{% macro newest_fact_of_each_period(touched, period_column, period_start, period_end) -%}
    select
        {{ touched }}.coin_id,
        {{ touched }}.{{ period_column }},
        last_fact.snapshot_at,
        last_fact.price_usd,
        last_fact.market_cap_usd,
        last_fact.volume_24h_usd,
        last_fact.loaded_at,
        {{ facts_merged_through() }} as facts_merged_through

    from {{ touched }}
    cross join lateral (
        select facts.*
        from {{ ref('fact_market_data') }} as facts
        where
            facts.coin_id = {{ touched }}.coin_id
            and facts.snapshot_at >= {{ period_start }}
            and facts.snapshot_at < {{ period_end }}
        order by facts.snapshot_at desc
        limit 1
    ) as last_fact
{%- endmacro %}
