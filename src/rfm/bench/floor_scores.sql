-- The floor's second half, appended to floor.sql or floor_lines.sql: customers from their purchases (CTE
-- purchases) and usable rows (CTE valid, for the as-of date), monetary rounded to the cent once, and the
-- tie-fair NTILE scores.
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
