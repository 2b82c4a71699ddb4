{#- MetricFlow's time spine: one row per day over any date an RFM as-of date can take. -#}
with

days as (

    select cast(range as date) as date_day
    from range(date '2000-01-01', date '2051-01-01', interval 1 day)

)

select * from days
