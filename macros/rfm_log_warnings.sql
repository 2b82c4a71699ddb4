{#- Post-hook: each non-null `column` of the model just built is logged as a dbt warning, so a guard's sentence
    (int_rejections_aggregated_to_reasons' guard_message) reaches the person running dbt, not just a table.
    Reads the built model at run time (a few rows); renders no SQL. -#}
{% macro rfm_log_warnings(column, where) -%}
    {%- if execute -%}
        {%- set found = run_query('select ' ~ column ~ ' from ' ~ this ~ ' where ' ~ where ~ ' order by 1') -%}
        {%- for message in found.columns[0].values() if message -%}
            {%- do exceptions.warn(message) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
