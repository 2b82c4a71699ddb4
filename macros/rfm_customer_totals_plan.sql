{#- How int_transactions_summed_to_customers catches up with staging on an incremental run:
    'none' (nothing new), 'customers' (new files only, each row its own purchase: add their totals to the
    customers they touch), 'recount' (new files with order lines, which may belong to orders begun in earlier
    files, or frequency counted in days, which a new file may repeat: recount the customers they touch from all
    their rows) or 'all' (a file was reloaded or removed, a
    lookback window is set, the totals predate transaction_rows or were counted in another frequency_unit, or
    they no longer account for every staged row: recompute every customer from staging, without reading the
    raw files).
    Returns {mode, files}. -#}
{% macro rfm_customer_totals_plan() -%}
    {%- set plan = {'mode': 'all', 'files': []} -%}
    {%- if not rfm_can_introspect() or not is_incremental() or rfm_lookback_days() is not none -%}
        {{ return(plan) }}
    {%- endif -%}
    {%- set loads = ref('stg_transaction_file_loads') -%}
    {%- set stored_columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
    {%- if 'transaction_rows' not in stored_columns or 'frequency_unit' not in stored_columns -%}
        {{ return(plan) }}
    {%- endif -%}

    {%- set consumed_sql -%}
        select
            cast(max(loaded_through) as {{ dbt.type_string() }}) as loaded_through,
            coalesce(sum(transaction_rows), 0) as transactions,
            count(case when frequency_unit != {{ rfm_string_literal(rfm_frequency_unit()) }} then 1 end) as other_unit
        from {{ this }}
    {%- endset -%}
    {%- set consumed = run_query(consumed_sql)[0] -%}
    {%- if consumed['other_unit'] > 0 -%}
        {{ return(plan) }}
    {%- endif -%}
    {%- set pending_sql -%}
        select source_file, load_action
        from {{ loads }}
        {%- if consumed['loaded_through'] is not none %}
        where loaded_at > cast('{{ consumed['loaded_through'] }}' as timestamp)
        {%- endif %}
        order by source_file
    {%- endset -%}
    {%- set pending = run_query(pending_sql) -%}
    {%- set files = [] -%}
    {%- for row in pending -%}
        {%- if row['load_action'] != 'load' -%}
            {{ return(plan) }}
        {%- endif -%}
        {%- do files.append(row['source_file']) -%}
    {%- endfor -%}

    {#- The guard: consumed + arriving rows must be exactly what staging holds; anything else (a log rebuilt
        on its own, a failed run in between) falls back to the full recompute. Staging's accepted rows are
        counted from the per-file counts (updated earlier in the run), not by scanning staging. -#}
    {%- set counts_sql -%}
        select
            coalesce(sum(row_count), 0) as staged,
            coalesce(
                sum(case when source_file in ({{ rfm_string_list(files) }}) then row_count end), 0
            ) as arriving,
            coalesce(
                sum(case when source_file in ({{ rfm_string_list(files) }}) then order_lines end), 0
            ) as arriving_order_lines
        from {{ ref('int_transactions_aggregated_to_file_dates') }}
        where reject_reason is null
    {%- endset -%}
    {%- set counts = run_query(counts_sql)[0] -%}
    {%- if consumed['transactions'] + counts['arriving'] != counts['staged'] -%}
        {{ return(plan) }}
    {%- endif -%}
    {#- Days with a purchase do not add up across files (a new file may repeat a day): recount those customers. -#}
    {%- set recount = counts['arriving_order_lines'] > 0 or rfm_frequency_unit() == 'day' -%}
    {%- set mode = 'none' if not files else ('recount' if recount else 'customers') -%}
    {%- do plan.update({'mode': mode, 'files': files}) -%}
    {{ return(plan) }}
{%- endmacro %}


{#- Pre-hook of int_transactions_summed_to_customers: a full recompute starts from an empty table (customers
    whose every row went away must go too); the other modes replace rows by customer_id. -#}
{% macro rfm_reset_customer_totals() -%}
    {%- if is_incremental() and rfm_customer_totals_plan().mode == 'all' -%}
        delete from {{ this }}
    {%- endif -%}
{%- endmacro %}
