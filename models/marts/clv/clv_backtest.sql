{#- The CLV models' backtest: fitted on the window ending at the calibration date (the latest history date at
    least var clv_backtest_days before the as-of date), they predict each customer's repeat purchases and
    revenue from that date up to the as-of date; here the predictions meet what happened, per segment at the
    calibration date and in total ('(all)'). A relative error is predicted / actual - 1. -#}
{%- set segment_scheme = rfm_segment_scheme(ref('rfm_segment_map')) -%}

with

predictions as (

    select * from {{ ref('int_customers_predicted_for_clv_backtest') }}

),

history as (

    select * from {{ ref('customer_rfm_history') }}
    where segment_scheme = {{ rfm_string_literal(segment_scheme) }}

),

segmented as (

    -- Every customer of the calibration date has a history row at that date (the same window, the same
    -- customers): the segment a build at the calibration date gave.
    select
        predictions.calibration_date,
        predictions.holdout_end_date,
        predictions.customer_id,
        predictions.predicted_purchases,
        predictions.actual_purchases,
        predictions.predicted_revenue,
        predictions.actual_revenue,
        predictions.fit_problem,
        history.segment,
        history.segment_priority
    from predictions
    inner join history
        on
            predictions.calibration_date = history.as_of_date
            and predictions.customer_id = history.customer_id

),

per_segment as (

    select
        calibration_date,
        holdout_end_date,
        segment,
        min(segment_priority) as segment_priority,
        count(*) as customers,
        sum(predicted_purchases) as predicted_purchases,
        sum(actual_purchases) as actual_purchases,
        sum(predicted_revenue) as predicted_revenue,
        sum(actual_revenue) as actual_revenue,
        min(fit_problem) as fit_problem
    from segmented
    group by calibration_date, holdout_end_date, segment

),

overall as (

    select
        calibration_date,
        holdout_end_date,
        '(all)' as segment,
        cast(null as integer) as segment_priority,
        count(*) as customers,
        sum(predicted_purchases) as predicted_purchases,
        sum(actual_purchases) as actual_purchases,
        sum(predicted_revenue) as predicted_revenue,
        sum(actual_revenue) as actual_revenue,
        min(fit_problem) as fit_problem
    from segmented
    group by calibration_date, holdout_end_date

),

unioned as (

    select * from per_segment
    union all
    select * from overall

),

final as (

    select
        calibration_date,
        holdout_end_date,
        segment,
        segment_priority,
        customers,
        predicted_purchases,
        actual_purchases,
        predicted_purchases / nullif(actual_purchases, 0) - 1 as purchases_error,
        predicted_revenue,
        actual_revenue,
        predicted_revenue / nullif(actual_revenue, 0) - 1 as revenue_error,
        fit_problem
    from unioned

)

select * from final
