{#- MetricFlow's time spine: one row per day over any date an RFM as-of date can take. -#}
with

days as (

    {{ rfm_day_series('2000-01-01', '2051-01-01') | indent(4) }}

)

select * from days
