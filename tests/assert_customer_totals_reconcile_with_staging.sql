-- The mart accounts for every staged transaction in the scoring window: the same rows (order lines) and the
-- same exact net amount (counted per file and day by int_transactions_aggregated_to_file_dates) behind its
-- customers' totals, each customer's monetary those totals rounded once to the cent, and, where every row is
-- its own purchase (no order lines), the same number of refunds and of purchases (with var frequency_unit day,
-- frequency counts purchase days: at most the purchases).
with

file_dates as (

    select * from {{ ref('int_transactions_aggregated_to_file_dates') }}

),

scoring_window as (

    select * from {{ ref('int_scoring_window') }}

),

customer_totals as (

    select * from {{ ref('int_transactions_summed_to_customers') }}

),

customers as (

    select * from {{ ref('customer_rfm') }}

),

staged_totals as (

    select
        coalesce(sum(file_dates.row_count), 0) as transaction_rows,
        coalesce(sum(file_dates.order_lines), 0) as order_lines,
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

    -- Totals of the mart's customers only: a customer missing from the mart loses their rows here.
    select
        count(*) as customers,
        coalesce(sum(customer_totals.transaction_rows), 0) as transaction_rows,
        coalesce(sum(customer_totals.monetary), 0) as amount,
        coalesce(sum(customers.frequency), 0) as purchases,
        coalesce(sum(customers.refunds), 0) as refunds,
        count(
            case
                when
                    customers.monetary != cast(customer_totals.monetary as {{ rfm_money_type() }})
                    or customers.frequency != customer_totals.frequency
                    or customers.refunds != customer_totals.refunds
                    then 1
            end
        ) as customers_off_their_totals
    from customers
    inner join customer_totals
        on customers.customer_id = customer_totals.customer_id

),

compared as (

    select
        staged_totals.transaction_rows as staged_rows,
        mart_totals.transaction_rows as mart_rows,
        staged_totals.amount as staged_amount,
        mart_totals.amount as mart_amount,
        staged_totals.order_lines as staged_order_lines,
        staged_totals.purchases as staged_purchases,
        mart_totals.purchases as mart_purchases,
        staged_totals.refunds as staged_refunds,
        mart_totals.refunds as mart_refunds,
        mart_totals.customers_off_their_totals,
        mart_totals.customers as mart_customers_with_totals,
        (select count(*) from customers) as mart_customers,
        (select count(*) from customer_totals) as customers_with_totals
    from staged_totals
    cross join mart_totals

)

select * from compared
where
    staged_rows != mart_rows
    or staged_amount != mart_amount
    or customers_off_their_totals > 0
    or mart_customers_with_totals != mart_customers
    or mart_customers_with_totals != customers_with_totals
    {%- if rfm_frequency_unit() == 'day' %}
        or (staged_order_lines = 0 and (staged_purchases < mart_purchases or staged_refunds != mart_refunds))
    {%- else %}
        or (staged_order_lines = 0 and (staged_purchases != mart_purchases or staged_refunds != mart_refunds))
    {%- endif %}
