-- The floor: the same quarantine rules, customer aggregates and tie-fair NTILE scores as the dbt project, as one
-- hand-written DuckDB statement with no tests, no contracts and nothing materialised in between.
-- {scan} is replaced by the input's scan with a position column (files in name order, then rows): Parquet's own
-- file_index and file_row_number, so that the scan runs on every core; a CSV's read order. Each row is a
-- purchase; floor_scores.sql (appended) measures and scores the customers.
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
purchases as (
    select * from valid
),
