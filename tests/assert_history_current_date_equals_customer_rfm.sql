-- The history's rows for the current as-of date are customer_rfm itself: same customers, same measures, scores
-- and segment. Proved on aggregates, not row by row (two 5M-row sets compared both ways cost more than the rest
-- of the test suite): per segment, the number of customers and the sum of a hash of every compared column of
-- each row. A customer missing, added, repeated or changed in any column changes its segment's sum; a failing
-- row names the segment to look at.
{#- Spark's hash() skips nulls, so a value moved into a neighbouring null column would hash the same: the
    nullable columns' null flags are hashed too. -#}
{%- set compared = [
    'as_of_date', 'customer_id', 'recency_days', 'frequency', 'refunds', 'monetary', 'avg_order_value',
    'tenure_days', 'avg_days_between_purchases', 'r_score', 'f_score', 'm_score', 'rfm_cell', 'rfm_score', 'segment',
    'recency_days is null', 'avg_order_value is null', 'tenure_days is null', 'avg_days_between_purchases is null',
] %}

with

current_customers as (

    select * from {{ ref('customer_rfm') }}

),

history as (

    select * from {{ ref('customer_rfm_history') }}

),

current_sums as (

    select
        segment,
        count(*) as customers,
        -- hash() takes any number of columns on DuckDB and on Spark.
        sum(hash({{ compared | join(', ') }})) as row_hash_sum
    from current_customers
    group by segment

),

history_sums as (

    select
        segment,
        count(*) as customers,
        sum(hash({{ compared | join(', ') }})) as row_hash_sum
    from history
    where as_of_date = (select max(current_customers.as_of_date) from current_customers)
    group by segment

),

mismatches as (

    select
        coalesce(current_sums.segment, history_sums.segment) as segment,
        current_sums.customers as customers_in_customer_rfm,
        history_sums.customers as customers_in_history
    from current_sums
    full outer join history_sums
        on current_sums.segment = history_sums.segment
    where
        current_sums.customers is distinct from history_sums.customers
        or current_sums.row_hash_sum is distinct from history_sums.row_hash_sum

)

select * from mismatches
