{#- R, F and M scores in 1..rfm_bins, higher is better, per customer and as-of date: the one place customers
    are scored, for the current date and every backfilled one. Bins are drawn within each as-of date (pooling
    the dates into one NTILE would rank customers against their own past). The tie rule is docs block
    `rfm_tie_rule`. -#}
{%- set bins = rfm_bins() -%}
{#- What M ranks: monetary (net total), or avg_order_value with var monetary_measure: mean. -#}
{%- set monetary_measure = rfm_monetary_measure() -%}

with

customer_dates as (

    select * from {{ ref('int_transactions_aggregated_to_customer_dates') }}

),

ranked as (

    -- Each customer's place in the order from worst to best, per dimension and as-of date. rank() is one more
    -- than the number of customers strictly worse: the position of the first member of the customer's tie
    -- group, the same for every member. Refunds-only customers (no purchase) are one tie group at the bottom
    -- of every dimension: no recency, frequency 0, and no monetary key, so they score 1 on R, F and M
    -- whatever their net refund.
    select
        *,
        case when frequency > 0 then {{ monetary_measure }} end as monetary_key,
        count(*) over (partition by as_of_date) as customers,
        rank() over (partition by as_of_date order by recency_days desc nulls first) as recency_position,
        rank() over (partition by as_of_date order by frequency asc) as frequency_position,
        rank() over (
            partition by as_of_date order by case when frequency > 0 then {{ monetary_measure }} end asc nulls first
        ) as monetary_position
    from customer_dates

),

bin_sizes as (

    -- ntile({{ bins }}) over the date's customers: the first (customers % {{ bins }}) bins hold one customer more
    -- than the others, which hold customers / {{ bins }} (rounded down).
    select
        *,
        {{ rfm_integer_divide('customers', bins) }} as bin_size,
        customers % {{ bins }} as larger_bins
    from ranked

),

tie_fair as (

    -- The tie rule: a customer scores the ntile({{ bins }}) bin of their tie group's first position, so equal
    -- values get equal scores, whatever order the group's members would be in (docs block rfm_tie_rule).
    -- A position within the larger bins is in bin ceil(position / (bin_size + 1)); past them, in bin
    -- ceil((position - larger_bins) / bin_size). (bin_size is 0 only with fewer customers than bins, when every
    -- position is within the larger bins.)
    select
        *,
        case
            when recency_position <= larger_bins * (bin_size + 1)
                then {{ rfm_integer_divide('recency_position + bin_size', 'bin_size + 1') }}
            else {{ rfm_integer_divide('recency_position - larger_bins + bin_size - 1', 'nullif(bin_size, 0)') }}
        end as r_score,
        case
            when frequency_position <= larger_bins * (bin_size + 1)
                then {{ rfm_integer_divide('frequency_position + bin_size', 'bin_size + 1') }}
            else {{ rfm_integer_divide('frequency_position - larger_bins + bin_size - 1', 'nullif(bin_size, 0)') }}
        end as f_score,
        case
            when monetary_position <= larger_bins * (bin_size + 1)
                then {{ rfm_integer_divide('monetary_position + bin_size', 'bin_size + 1') }}
            else {{ rfm_integer_divide('monetary_position - larger_bins + bin_size - 1', 'nullif(bin_size, 0)') }}
        end as m_score
    from bin_sizes

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
        avg_days_between_purchases,
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
