-- The mart accounts for every staged transaction in the scoring window: same customers, same number of
-- purchases and refunds, same net amount.
with

transactions as (

    select * from {{ ref('stg_transactions') }}

),

scoring_window as (

    select * from {{ ref('int_scoring_window') }}

),

customers as (

    select * from {{ ref('customer_rfm') }}

),

staged_totals as (

    select
        count(distinct transactions.customer_id) as customers,
        sum(case when transactions.is_refund then 0 else 1 end) as purchases,
        sum(case when transactions.is_refund then 1 else 0 end) as refunds,
        coalesce(sum(transactions.amount), 0) as amount
    from transactions
    cross join scoring_window
    where
        transactions.transaction_date < scoring_window.as_of_date
        and (
            scoring_window.window_start_date is null
            or transactions.transaction_date >= scoring_window.window_start_date
        )

),

mart_totals as (

    select
        count(*) as customers,
        coalesce(sum(frequency), 0) as purchases,
        coalesce(sum(refunds), 0) as refunds,
        coalesce(sum(monetary), 0) as amount
    from customers

),

compared as (

    select
        staged_totals.customers as staged_customers,
        mart_totals.customers as mart_customers,
        staged_totals.purchases as staged_purchases,
        mart_totals.purchases as mart_purchases,
        staged_totals.refunds as staged_refunds,
        mart_totals.refunds as mart_refunds,
        staged_totals.amount as staged_amount,
        mart_totals.amount as mart_amount
    from staged_totals
    cross join mart_totals

)

select * from compared
where
    staged_customers != mart_customers
    or staged_purchases != mart_purchases
    or staged_refunds != mart_refunds
    or staged_amount != mart_amount
