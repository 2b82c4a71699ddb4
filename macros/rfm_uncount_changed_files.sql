{#- Pre-hook of int_transactions_aggregated_to_file_dates on an incremental run: a file's counts stay only while
    its latest load in the log is the one they counted. Counts of a file loaded again, removed, or no longer in
    the log (a log rebuilt, and staging reread) go, and the model counts what staging holds now. Counts from
    before loaded_at existed cannot be matched: all go. -#}
{% macro rfm_uncount_changed_files() -%}
    {%- if is_incremental() -%}
        {%- if 'loaded_at' not in adapter.get_columns_in_relation(this) | map(attribute='name') | list %}
            delete from {{ this }}
        {%- else %}
            delete from {{ this }} as counted
            where counted.loaded_at is distinct from (
                select max(file_loads.loaded_at)
                from {{ ref('stg_transaction_file_loads') }} as file_loads
                where file_loads.source_file = counted.source_file
            )
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
