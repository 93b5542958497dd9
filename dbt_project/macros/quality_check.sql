{#-
    The config of a quality check: a dbt test that returns one verdict row (`passed`,
    `description` and the numbers behind them) instead of failing rows. The test fails when that
    row says `passed = false`; dbt stores the row (store_failures, schema dbt_test__audit, in a
    table the test's yml names with `alias`: <check>__<model>) and the
    Dagster asset turns it into the check's description and metadata.

    `grade` is how the failure is shown (error | warn). `blocks_build` makes a failure stop the
    models downstream, as every other dbt test here does; checks that describe the data as a whole
    (how old, how complete, how jumpy) report without stopping the build (dbt severity warn).
-#}
{% macro quality_check_config(grade, blocks_build) -%}
    {{ return({
        'fail_calc': 'count(*) filter (where not passed)',
        'store_failures': true,
        'store_failures_as': 'table',
        'severity': 'error' if blocks_build else 'warn',
        'meta': {'quality_check': {'grade': grade}},
    }) }}
{%- endmacro %}
