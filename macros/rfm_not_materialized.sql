{#- `not materialized` for the CTEs of stg_transactions_classified that are read twice (the duplicate check and
    the classification), when DuckDB numbers the input's rows itself (rfm_parquet_numbered: Parquet). DuckDB
    would otherwise hold every parsed row in memory until both reads are done (14 GB at 100M rows), where reading
    the file twice costs the same time at half the peak (docs/benchmarks.md). A CSV (a second parse costs more) or a relation (numbered by a sort)
    stays materialized, as does everything on Spark, whose SQL has no such hint. -#}
{% macro rfm_not_materialized() -%}
    {{ return(adapter.dispatch('rfm_not_materialized', 'rfm')()) }}
{%- endmacro %}


{% macro default__rfm_not_materialized() -%}
    {%- if rfm_parquet_numbered() -%}
        not materialized
    {%- endif -%}
{%- endmacro %}


{% macro spark__rfm_not_materialized() -%}
{%- endmacro %}
