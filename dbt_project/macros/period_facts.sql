{#-
    The (coin_id, period) pairs an incremental run rebuilds: those the rows of `relation` loaded
    since the last run fall in. `period` is the SQL of a row's period, selected as `period_column`.
-#}
{% macro touched_periods(relation, period, period_column) -%}
    select distinct
        coin_id,
        {{ period }} as {{ period_column }}

    from {{ relation }}
    {{ loaded_since_last_run() }}
{%- endmacro %}

{#-
    The newest fact_market_data row of each (coin_id, `period_column`) of `touched`, loaded by this
    run or not, whose period spans [`period_start`, `period_end`): one index probe per period, on
    the table rather than a CTE over it, so the probe uses its (coin_id, snapshot_at) index.
-#}
{% macro newest_fact_of_each_period(touched, period_column, period_start, period_end) -%}
    select
        {{ touched }}.coin_id,
        {{ touched }}.{{ period_column }},
        last_fact.snapshot_at,
        last_fact.price_usd,
        last_fact.market_cap_usd,
        last_fact.volume_24h_usd,
        last_fact.loaded_at

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
