-- The floor on order lines (no amount column): floor.sql's rules, and orders as the dbt project makes them. A
-- line is worth quantity x unit price, exactly (each to 4 decimals); (order_id, transaction_id) is a line's key;
-- one customer's lines sharing an order_id are one purchase, at its earliest line's time, worth the exact sum of
-- its lines (a line without order_id is its own purchase); monetary is rounded to the cent once per customer.
-- {scan} is replaced as in floor.sql.
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
        or row_number() over (partition by order_id, transaction_id order by source_row_number) = 1
),
purchases as (
    select
        customer_id,
        min(transaction_at) as transaction_at,
        sum(amount) as amount
    from valid
    group by customer_id, order_id, case when order_id is null then source_row_number end
),
customers as (
    select
        customer_id,
        max(transaction_at) filter (where amount >= 0) as last_purchase_at,
        count(*) filter (where amount >= 0) as frequency,
        cast(sum(amount) as decimal(38, 2)) as monetary
    from purchases
    group by customer_id
),
as_of as (
    select cast(max(transaction_at) as date) + 1 as as_of_date from valid
),
measured as (
    select
        customer_id,
        date_diff('day', cast(last_purchase_at as date), as_of_date) as recency_days,
        frequency,
        case when frequency > 0 then monetary end as monetary_key
    from customers cross join as_of
),
ranked as (
    select
        *,
        ntile(5) over (order by recency_days desc nulls first, customer_id) as r_ntile,
        ntile(5) over (order by frequency, customer_id) as f_ntile,
        ntile(5) over (order by monetary_key nulls first, customer_id) as m_ntile
    from measured
)
select
    customer_id,
    min(r_ntile) over (partition by recency_days) as r_score,
    min(f_ntile) over (partition by frequency) as f_score,
    min(m_ntile) over (partition by monetary_key) as m_score
from ranked;
