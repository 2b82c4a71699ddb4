{#- Each customer of the scoring window summarised as the BG/NBD and Gamma-Gamma models read a customer, in the
    published convention (Fader, Hardie and Lee): x, the repeat purchase days (purchases on one day are one;
    the first purchase day is not counted); t_x, the time from the first to the last purchase day; T (t_cal),
    from the first purchase day to the window's last day (the day before the exclusive as_of_date); both in
    var clv_time_unit (a week is 7 days); and the mean spend of the repeat purchase days. Refunds are not
    purchases: they neither count nor lower a day's spend (they lower monetary only, as everywhere else). -#}
{{ config(enabled=target.type == 'duckdb') }}
{%- set unit_days = 7 if rfm_clv_time_unit() == 'week' else 1 -%}

with

purchases as (

    select * from {{ ref('int_transactions_aggregated_to_purchases') }}

),

scoring_window as (

    select * from {{ ref('int_scoring_window') }}

),

purchase_days as (

    select
        purchases.customer_id,
        purchases.transaction_date,
        sum(purchases.amount) as day_spend
    from purchases
    cross join scoring_window
    where
        not purchases.is_refund
        and purchases.transaction_date < scoring_window.as_of_date
        and (
            scoring_window.window_start_date is null
            or purchases.transaction_date >= scoring_window.window_start_date
        )
    group by purchases.customer_id, purchases.transaction_date

),

per_customer as (

    -- A day is unique per customer here, so the first day's spend is the spend of the earliest day row.
    select
        customer_id,
        min(transaction_date) as first_purchase_date,
        max(transaction_date) as last_purchase_date,
        count(*) - 1 as x,
        (sum(day_spend) - min_by(day_spend, transaction_date)) / nullif(count(*) - 1, 0) as mean_repeat_spend
    from purchase_days
    group by customer_id

),

summarised as (

    select
        scoring_window.as_of_date,
        per_customer.customer_id,
        per_customer.first_purchase_date,
        per_customer.last_purchase_date,
        per_customer.x,
        -- A date minus a date is a number of days (DuckDB, where the CLV models run).
        (per_customer.last_purchase_date - per_customer.first_purchase_date) / {{ unit_days }}.0 as t_x,
        (scoring_window.as_of_date - per_customer.first_purchase_date - 1) / {{ unit_days }}.0 as t_cal,
        per_customer.mean_repeat_spend,
        '{{ rfm_clv_time_unit() }}' as clv_time_unit
    from per_customer
    cross join scoring_window

)

select * from summarised
