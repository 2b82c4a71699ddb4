-- The floor on order lines (no amount column): floor.sql's rules, and orders as the dbt project makes them. A
-- line is worth quantity x unit price, exactly (each to 4 decimals); (the customer's order_id, transaction_id) is a line's key;
-- one customer's lines sharing an order_id are one purchase, at its earliest line's time, worth the exact sum of
-- its lines (a line without order_id is its own purchase); monetary is rounded to the cent once per customer.
-- {scan} is replaced as in floor.sql; floor_scores.sql (appended) measures and scores the customers.
create or replace table customer_scores as
with
raw as (
    select position as source_row_number, *
    from {scan}
),
parsed as (
    select
        source_row_number,
        nullif(trim(cast(customer_id as varchar)), '') as customer_id,
        nullif(trim(cast(order_id as varchar)), '') as order_id,
        nullif(trim(cast(transaction_id as varchar)), '') as transaction_id,
        case when isfinite(try_cast(transaction_at as timestamp)) then try_cast(transaction_at as timestamp) end
            as transaction_at,
        -- Text with '_' is no number (DuckDB's cast reads '1_0' as 10); typeof() is constant, so typed columns
        -- skip the test.
        try_cast(
            case
                when typeof(quantity) <> 'VARCHAR' or not contains(cast(quantity as varchar), '_') then quantity
            end as decimal(18, 4)
        ) as quantity,
        try_cast(
            case
                when typeof(unit_price) <> 'VARCHAR' or not contains(cast(unit_price as varchar), '_') then unit_price
            end as decimal(18, 4)
        ) as unit_price
    from raw
),
valid as (
    select
        source_row_number,
        customer_id,
        order_id,
        transaction_at,
        cast(cast(quantity as decimal(19, 4)) * unit_price as decimal(38, 8)) as amount
    from parsed
    where
        customer_id is not null and transaction_at is not null and quantity is not null and unit_price is not null
    qualify transaction_id is null
        or row_number() over (
            partition by order_id, transaction_id, case when order_id is not null then customer_id end
            order by source_row_number
        ) = 1
),
purchases as (
    select
        customer_id,
        min(transaction_at) as transaction_at,
        sum(amount) as amount
    from valid
    group by customer_id, order_id, case when order_id is null then source_row_number end
),
