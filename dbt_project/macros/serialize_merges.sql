{#-
    A pre-hook that makes runs building {{ this }} take turns: a transaction-scoped advisory lock,
    released at commit. Two runs at once (a tick overlapping a backfill) would otherwise race on
    the merge's unique key, and a `merged_at` stamped by one could commit after a later one.
-#}
{% macro serialize_merges() -%}
    select pg_advisory_xact_lock(hashtext('{{ this }}'))
{%- endmacro %}
