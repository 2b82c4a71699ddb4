{#- Pre-hook of stg_transactions_classified. On an incremental run, the rows of every file about to be
    (re)loaded or removed go first, so the insert that follows never duplicates a row. When the table is
    rebuilt instead (--full-refresh, or a table gone), the load log is emptied: it no longer describes what is
    staged, and everything that counts from it (int_transactions_aggregated_to_file_dates, the customer
    totals) must start over, even when the log itself is not selected in this run. On Spark staging and the
    log are plain tables, rebuilt every run. -#}
{% macro rfm_unstage_changed_files() -%}
    {%- set loads = rfm_file_loads_relation() -%}
    {%- if is_incremental() -%}
        {%- if loads is none %}
            -- No load log (a database from before it existed): nothing staged can be trusted, all is reread.
            delete from {{ this }}
        {%- else %}
            delete from {{ this }}
            where source_file in (
                select source_file from ({{ rfm_file_plan_sql(loads, this) }}) as plan
                where load_action is not null
            )
        {%- endif -%}
    {%- elif loads is not none and config.get('materialized') == 'incremental' %}
        delete from {{ loads }}
    {%- endif -%}
{%- endmacro %}
