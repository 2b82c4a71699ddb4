{#- Each customer summarised as the BG/NBD and Gamma-Gamma models read a customer, in the published convention
    (Fader, Hardie and Lee): x, the repeat purchase days (purchases on one day are one; the first purchase day
    is not counted); t_x, the time from the first to the last purchase day; T (t_cal), from the first purchase
    day to the window's last day (the day before the exclusive as-of date); both in var clv_time_unit (a week
    is 7 days); and the mean spend of the repeat purchase days. Refunds are not purchases: they neither count
    nor lower a day's spend (they lower monetary only, as everywhere else).
    At up to three history dates, not all of them (each date repeats every purchase day before it): the current
    one (customer_clv, the fits), the one before it (churn_alerts) and the backtest's calibration date, the
    latest history date at least var clv_backtest_days before the current one (clv_backtest). Each row also
    carries what the customer bought from its date up to the current date, which the backtest compares with.
    On DuckDB and Spark (where customer_rfm scores P(alive) from var clv_parameters). -#}
{%- set unit_days = 7 if rfm_clv_time_unit() == 'week' else 1 -%}
{%- set backtest_days = rfm_clv_settings().backtest_days -%}

with

purchases as (

    select * from {{ ref('int_transactions_aggregated_to_purchases') }}

),

history_dates as (

    select * from {{ ref('int_history_as_of_dates') }}

),

current_date_row as (

    select * from history_dates
    where is_current

),

earlier_dates as (

    select
        history_dates.as_of_date,
        history_dates.as_of_date = max(history_dates.as_of_date) over () as is_previous,
        history_dates.as_of_date = max(
            case
                when
                    history_dates.as_of_date
                    <= cast({{ dbt.dateadd('day', -backtest_days, 'current_date_row.as_of_date') }} as date)
                    then history_dates.as_of_date
            end
        ) over () as is_backtest_calibration
    from history_dates
    cross join current_date_row
    where not history_dates.is_current

),

summary_dates as (

    select
        history_dates.as_of_date,
        history_dates.window_start_date,
        history_dates.is_current,
        coalesce(earlier_dates.is_previous, false) as is_previous,
        coalesce(earlier_dates.is_backtest_calibration, false) as is_backtest_calibration
    from history_dates
    left join earlier_dates
        on history_dates.as_of_date = earlier_dates.as_of_date
    where
        history_dates.is_current
        or earlier_dates.is_previous
        or earlier_dates.is_backtest_calibration

),

purchase_days as (

    -- Every purchase day before the current date, once; each summary date then reads the days before it.
    select
        purchases.customer_id,
        purchases.transaction_date,
        sum(purchases.amount) as day_spend
    from purchases
    cross join current_date_row
    where
        not purchases.is_refund
        and purchases.transaction_date < current_date_row.as_of_date
    group by purchases.customer_id, purchases.transaction_date

),

days_at_dates as (

    select
        summary_dates.as_of_date,
        purchase_days.customer_id,
        purchase_days.transaction_date,
        purchase_days.day_spend,
        purchase_days.transaction_date < summary_dates.as_of_date as is_before_date
    from purchase_days
    inner join summary_dates
        on
            summary_dates.window_start_date is null
            or purchase_days.transaction_date >= summary_dates.window_start_date

),

per_customer as (

    -- A day is unique per customer and date here, so the first day's spend is the spend of the earliest day.
    select
        as_of_date,
        customer_id,
        min(transaction_date) filter (where is_before_date) as first_purchase_date,
        max(transaction_date) filter (where is_before_date) as last_purchase_date,
        count(*) filter (where is_before_date) - 1 as x,
        (
            sum(day_spend) filter (where is_before_date)
            - min_by(day_spend, transaction_date) filter (where is_before_date)
        ) / nullif(count(*) filter (where is_before_date) - 1, 0) as mean_repeat_spend,
        count(*) filter (where not is_before_date) as later_purchase_days,
        coalesce(sum(day_spend) filter (where not is_before_date), 0) as later_spend
    from days_at_dates
    group by as_of_date, customer_id

),

summarised as (

    select
        summary_dates.as_of_date,
        per_customer.customer_id,
        summary_dates.is_current,
        summary_dates.is_previous,
        summary_dates.is_backtest_calibration,
        per_customer.first_purchase_date,
        per_customer.last_purchase_date,
        per_customer.x,
        -- Doubles on both engines (Spark would divide decimals, rounded to six places).
        cast(
            {{ dbt.datediff('per_customer.first_purchase_date', 'per_customer.last_purchase_date', 'day') }}
            as double
        ) / {{ unit_days }} as t_x,
        cast(
            {{ dbt.datediff('per_customer.first_purchase_date', 'summary_dates.as_of_date', 'day') }}
            - 1 as double
        ) / {{ unit_days }} as t_cal,
        per_customer.mean_repeat_spend,
        per_customer.later_purchase_days,
        per_customer.later_spend,
        '{{ rfm_clv_time_unit() }}' as clv_time_unit
    from per_customer
    inner join summary_dates
        on per_customer.as_of_date = summary_dates.as_of_date
    -- A customer whose first purchase comes after the date is not a customer at that date.
    where per_customer.first_purchase_date is not null

)

select * from summarised
