{#- Pre-hook of stg_transactions_classified on an incremental run: the rows of every file about to be
    (re)loaded or removed go first, so the insert that follows never duplicates a row. -#}
{% macro rfm_unstage_changed_files() -%}
    {%- if is_incremental() -%}
        {%- set loads = rfm_file_loads_relation() -%}
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
    {%- endif -%}
{%- endmacro %}
