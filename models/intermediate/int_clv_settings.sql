{#- The CLV vars as one row, checked (rfm_clv_settings): the Python models read them here, since a Python
    model has no var(). -#}
{{ config(enabled=target.type == 'duckdb') }}
{%- set settings = rfm_clv_settings() -%}

with

settings as (

    select
        '{{ settings.time_unit }}' as clv_time_unit,
        {{ 7 if settings.time_unit == 'week' else 1 }} as unit_days,
        {{ settings.horizon_days }} as horizon_days,
        cast({{ settings.discount_rate }} as double) as discount_rate,
        cast({{ settings.churn_high_below }} as double) as churn_high_below,
        cast({{ settings.churn_medium_below }} as double) as churn_medium_below,
        {{ settings.min_repeat_customers }} as min_repeat_customers

)

select * from settings
