{#- Pre-hook of customer_rfm_history: unless var history_snapshots is true, dates outside this run's history
    (the current as-of date and the backfill) go, so the table does not grow by a customer base per run. -#}
{% macro rfm_drop_unrequested_history_dates() -%}
    {%- if is_incremental() and not rfm_history_snapshots() -%}
        delete from {{ this }}
        where as_of_date not in (select as_of_date from {{ ref('int_history_as_of_dates') }})
    {%- endif -%}
{%- endmacro %}
