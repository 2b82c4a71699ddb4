{{ config(enabled=target.type == 'duckdb', severity='warn') }}
{%- set max_error = rfm_clv_settings().backtest_max_error -%}
-- The backtest in total: the repeat purchases the models predicted from the calibration date to the as-of date
-- within var clv_backtest_max_error of those that happened, else a warning with the numbers (or with why there
-- is nothing to compare: no calibration date, no fit). A warning: the models' assumptions are the user's to
-- judge, and the rest of the build is good either way.

with

backtest as (

    select * from {{ ref('clv_backtest') }}
    where segment = '(all)'

),

build_context as (

    select * from {{ ref('int_scoring_window') }}

),

checked as (

    select
        build_context.as_of_date,
        backtest.calibration_date,
        backtest.predicted_purchases,
        backtest.actual_purchases,
        backtest.purchases_error,
        case
            when backtest.segment is null
                then 'No backtest: no history date at least var clv_backtest_days before the as-of date.'
            when backtest.predicted_purchases is null
                then 'No backtest: ' || backtest.fit_problem
            when abs(backtest.purchases_error) > {{ max_error }}
                then 'The backtest''s predicted repeat purchases are off by more than var clv_backtest_max_error.'
        end as problem
    from build_context
    left join backtest
        on true

),

validation_errors as (

    select * from checked
    where problem is not null

)

select * from validation_errors
