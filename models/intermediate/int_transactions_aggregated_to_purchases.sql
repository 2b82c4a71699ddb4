{#- One row per purchase, what frequency counts: a transaction without an order id is a purchase by itself;
    the lines of one customer sharing an order id are one purchase, at its earliest line's time, worth the exact
    sum of its lines. A purchase whose net amount is negative (a cancellation or return invoice) is a refund.
    A view: for a file without order ids it is stg_transactions itself, and each reader's aggregate absorbs it. -#}
with

transactions as (

    select * from {{ ref('stg_transactions') }}

),

own_purchases as (

    select
        customer_id,
        order_id,
        source_file,
        transaction_at,
        amount,
        1 as transaction_rows
    from transactions
    where order_id is null

),

orders as (

    -- An order's lines can come from several files: source_file is its first line's.
    select
        customer_id,
        order_id,
        min(source_file) as source_file,
        min(transaction_at) as transaction_at,
        sum(amount) as amount,
        count(*) as transaction_rows
    from transactions
    where order_id is not null
    group by customer_id, order_id

),

unioned as (

    select * from own_purchases
    union all
    select * from orders

),

final as (

    select
        customer_id,
        order_id,
        source_file,
        transaction_at,
        cast(transaction_at as date) as transaction_date,
        amount,
        amount < 0 as is_refund,
        cast(transaction_rows as bigint) as transaction_rows
    from unioned

)

select * from final
