-- The floor: the same quarantine rules, customer aggregates and tie-fair NTILE scores as the dbt project, as one
-- hand-written DuckDB statement with no tests, no contracts and nothing materialised in between.
-- {scan} is replaced by the input's scan with a position column (files in name order, then rows): Parquet's own
-- file_index and file_row_number, so that the scan runs on every core; a CSV's read order.
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
        nullif(trim(cast(transaction_id as varchar)), '') as transaction_id,
        case when isfinite(try_cast(transaction_at as timestamp)) then try_cast(transaction_at as timestamp) end
            as transaction_at,
        try_cast(amount as decimal(18, 2)) as amount
    from raw
),
valid as (
    select *
    from parsed
    where customer_id is not null and transaction_at is not null and amount is not null
    qualify transaction_id is null
        or row_number() over (partition by transaction_id order by source_row_number) = 1
),
customers as (
    select
        customer_id,
        max(transaction_at) filter (where amount >= 0) as last_purchase_at,
        count(*) filter (where amount >= 0) as frequency,
        sum(amount) as monetary
    from valid
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
