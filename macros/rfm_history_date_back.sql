{#- The date `steps` history intervals before `date` (var history_interval), as a date. Each date is computed
    from the same anchor, so month ends do not drift (2026-03-31 -> 2026-02-28 -> 2026-01-31). -#}
{% macro rfm_history_date_back(date, steps) -%}
    {{ return(adapter.dispatch('rfm_history_date_back', 'rfm')(date, steps)) }}
{%- endmacro %}


{% macro default__rfm_history_date_back(date, steps) -%}
    {%- set date_part, size = rfm_history_interval() -%}
    {%- if date_part == 'week' -%}
        cast({{ date }} - to_weeks(cast({{ size }} * ({{ steps }}) as integer)) as date)
    {%- else -%}
        cast({{ date }} - to_months(cast({{ size }} * ({{ steps }}) as integer)) as date)
    {%- endif -%}
{%- endmacro %}


{#- Spark: add_months clamps to the month's last day as DuckDB's interval arithmetic does. -#}
{% macro spark__rfm_history_date_back(date, steps) -%}
    {%- set date_part, size = rfm_history_interval() -%}
    {%- if date_part == 'week' -%}
        date_sub({{ date }}, 7 * {{ size }} * ({{ steps }}))
    {%- else -%}
        add_months({{ date }}, -{{ size }} * ({{ steps }}))
    {%- endif -%}
{%- endmacro %}
