{#- R, F and M scores in 1..rfm_bins, higher is better, per customer and as-of date: the one place customers
    are scored, for the current date and every backfilled one. Bins are drawn within each as-of date (pooling
    the dates into one NTILE would rank customers against their own past). The tie rule is docs block
    `rfm_tie_rule`. -#}
{%- set bins = rfm_bins() -%}

with

customer_dates as (

    select * from {{ ref('int_transactions_aggregated_to_customer_dates') }}

),

ranked as (

    -- Plain NTILE over a total order, worst first; customer_id only makes the order unique.
    -- Refunds-only customers (no purchase) are one tie group at the bottom of every dimension: no recency,
    -- frequency 0, and no monetary key, so they score 1 on R, F and M whatever their net refund.
    select
        *,
        case when frequency > 0 then monetary end as monetary_key,
        ntile({{ bins }}) over (
            partition by as_of_date order by recency_days desc nulls first, customer_id asc
        ) as recency_ntile,
        ntile({{ bins }}) over (
            partition by as_of_date order by frequency asc, customer_id asc
        ) as frequency_ntile,
        ntile({{ bins }}) over (
            partition by as_of_date
            order by case when frequency > 0 then monetary end asc nulls first, customer_id asc
        ) as monetary_ntile
    from customer_dates

),

tie_fair as (

    -- Every tie group takes the NTILE of its first member: equal values get equal scores, and the result
    -- does not depend on the tiebreak above, because the group's first position is the same whatever it is.
    select
        *,
        min(recency_ntile) over (partition by as_of_date, recency_days) as r_score,
        min(frequency_ntile) over (partition by as_of_date, frequency) as f_score,
        min(monetary_ntile) over (partition by as_of_date, monetary_key) as m_score
    from ranked

),

scored as (

    select
        customer_id,
        as_of_date,
        first_purchase_at,
        last_purchase_at,
        recency_days,
        frequency,
        refunds,
        monetary,
        avg_order_value,
        tenure_days,
        period_purchases,
        period_revenue,
        cast(r_score as integer) as r_score,
        cast(f_score as integer) as f_score,
        cast(m_score as integer) as m_score,
        {{ dbt.concat([
            'cast(r_score as ' ~ dbt.type_string() ~ ')',
            'cast(f_score as ' ~ dbt.type_string() ~ ')',
            'cast(m_score as ' ~ dbt.type_string() ~ ')',
        ]) }} as rfm_cell,
        -- The weighted score: var rfm_score_weights (100 / 10 / 1 by default).
        cast(
            {{ rfm_score_weight('recency') }} * r_score
            + {{ rfm_score_weight('frequency') }} * f_score
            + {{ rfm_score_weight('monetary') }} * m_score
            as integer
        ) as rfm_score
    from tie_fair

)

select * from scored
