{#- Generated rows, which every engine spells differently: a select of one column per value. -#}

{#- The integers start .. stop - 1 as a relation with one column `n`. -#}
{% macro rfm_integer_series(start, stop) -%}
    {{ return(adapter.dispatch('rfm_integer_series', 'rfm')(start, stop)) }}
{%- endmacro %}


{% macro default__rfm_integer_series(start, stop) -%}
    select range as n from range({{ start }}, {{ stop }})
{%- endmacro %}


{% macro spark__rfm_integer_series(start, stop) -%}
    select explode(sequence({{ start }}, {{ stop }} - 1)) as n
{%- endmacro %}


{#- Every day from start_date to stop_date - 1 ('YYYY-MM-DD') as a relation with one column `date_day`. -#}
{% macro rfm_day_series(start_date, stop_date) -%}
    {{ return(adapter.dispatch('rfm_day_series', 'rfm')(start_date, stop_date)) }}
{%- endmacro %}


{% macro default__rfm_day_series(start_date, stop_date) -%}
    select cast(range as date) as date_day
    from range(date '{{ start_date }}', date '{{ stop_date }}', interval 1 day)
{%- endmacro %}


{% macro spark__rfm_day_series(start_date, stop_date) -%}
    select explode(sequence(date '{{ start_date }}', date_sub(date '{{ stop_date }}', 1))) as date_day
{%- endmacro %}
