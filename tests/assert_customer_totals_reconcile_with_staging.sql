-- The mart accounts for every staged transaction in the scoring window: the same number of purchases and
-- refunds, the same net amount (counted per file and day by int_transactions_aggregated_to_file_dates).
with

file_dates as (

    select * from {{ ref('int_transactions_aggregated_to_file_dates') }}

),

scoring_window as (

    select * from {{ ref('int_scoring_window') }}

),

customers as (

    select * from {{ ref('customer_rfm') }}

),

staged_totals as (

    select
        coalesce(sum(file_dates.purchases), 0) as purchases,
        coalesce(sum(file_dates.refunds), 0) as refunds,
        coalesce(sum(file_dates.amount), 0) as amount
    from file_dates
    cross join scoring_window
    where
        file_dates.reject_reason is null
        and file_dates.transaction_date < scoring_window.as_of_date
        and (
            scoring_window.window_start_date is null
            or file_dates.transaction_date >= scoring_window.window_start_date
        )

),

mart_totals as (

    select
        coalesce(sum(frequency), 0) as purchases,
        coalesce(sum(refunds), 0) as refunds,
        coalesce(sum(monetary), 0) as amount
    from customers

),

compared as (

    select
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
    staged_purchases != mart_purchases
    or staged_refunds != mart_refunds
    or staged_amount != mart_amount
