{#- R, F and M scores in 1..rfm_bins, higher is better, with the tie rule in docs block `rfm_tie_rule`. -#}
{%- set bins = rfm_bins() -%}

with

customers as (

    select * from {{ ref('int_transactions_aggregated_to_customers') }}

),

ranked as (

    -- Plain NTILE over a total order, worst first; customer_id only makes the order unique.
    -- Refunds-only customers (no purchase) are one tie group at the bottom of every dimension: no recency,
    -- frequency 0, and no monetary key, so they score 1 on R, F and M whatever their net refund.
    select
        *,
        case when frequency > 0 then monetary end as monetary_key,
        ntile({{ bins }}) over (order by recency_days desc nulls first, customer_id asc) as recency_ntile,
        ntile({{ bins }}) over (order by frequency asc, customer_id asc) as frequency_ntile,
        ntile({{ bins }}) over (
            order by case when frequency > 0 then monetary end asc nulls first, customer_id asc
        ) as monetary_ntile
    from customers

),

tie_fair as (

    -- Every tie group takes the NTILE of its first member: equal values get equal scores, and the result
    -- does not depend on the tiebreak above, because the group's first position is the same whatever it is.
    select
        *,
        min(recency_ntile) over (partition by recency_days) as r_score,
        min(frequency_ntile) over (partition by frequency) as f_score,
        min(monetary_ntile) over (partition by monetary_key) as m_score
    from ranked

),

scored as (

    select
        customer_id,
        first_purchase_at,
        last_purchase_at,
        recency_days,
        frequency,
        refunds,
        monetary,
        avg_order_value,
        tenure_days,
        as_of_date,
        cast(r_score as integer) as r_score,
        cast(f_score as integer) as f_score,
        cast(m_score as integer) as m_score,
        {{ dbt.concat([
            'cast(r_score as ' ~ dbt.type_string() ~ ')',
            'cast(f_score as ' ~ dbt.type_string() ~ ')',
            'cast(m_score as ' ~ dbt.type_string() ~ ')',
        ]) }} as rfm_cell,
        cast(
            {{ rfm_score_weight('recency') }} * r_score
            + {{ rfm_score_weight('frequency') }} * f_score
            + {{ rfm_score_weight('monetary') }} * m_score
            as integer
        ) as rfm_score
    from tie_fair

)

select * from scored
