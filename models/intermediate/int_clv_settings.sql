{#- The CLV vars as one row, checked (rfm_clv_settings, rfm_clv_parameters): the Python models read them here,
    since a Python model has no var(), and so does customer_rfm on Spark. given_*: var clv_parameters, the
    parameters fitted elsewhere (null: the build fits them). -#}
{%- set settings = rfm_clv_settings() -%}
{%- set given = rfm_clv_parameters() or {} -%}

with

settings as (

    select
        '{{ settings.time_unit }}' as clv_time_unit,
        {{ 7 if settings.time_unit == 'week' else 1 }} as unit_days,
        {{ settings.horizon_days }} as horizon_days,
        cast({{ settings.discount_rate }} as double) as discount_rate,
        cast({{ settings.churn_high_below }} as double) as churn_high_below,
        cast({{ settings.churn_medium_below }} as double) as churn_medium_below,
        {{ settings.min_repeat_customers }} as min_repeat_customers,
        cast({{ given.r if given else 'null' }} as double) as given_r,
        cast({{ given.alpha if given else 'null' }} as double) as given_alpha,
        cast({{ given.a if given else 'null' }} as double) as given_a,
        cast({{ given.b if given else 'null' }} as double) as given_b,
        cast({{ given.p if given else 'null' }} as double) as given_p,
        cast({{ given.q if given else 'null' }} as double) as given_q,
        cast({{ given.v if given else 'null' }} as double) as given_v

)

select * from settings
