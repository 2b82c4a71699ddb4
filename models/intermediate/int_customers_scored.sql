{#- R, F and M scores, higher is better, per customer and as-of date: the one place customers are scored, for
    the current date and every backfilled one. Bins are drawn within each as-of date (pooling the dates into one
    NTILE would rank customers against their own past); with var rfm_binning nested, F within each R score and M
    within each R-F cell. The tie rule is docs block `rfm_tie_rule`. -#}
{%- set bins = rfm_bins() -%}
{%- set nested = rfm_binning() == 'nested' -%}
{#- What M ranks: monetary (net total), or avg_order_value with var monetary_measure: mean. -#}
{%- set monetary_measure = rfm_monetary_measure() -%}
{%- set frequency_group = 'as_of_date, r_score' if nested else 'as_of_date' -%}
{%- set monetary_group = 'as_of_date, r_score, f_score' if nested else 'as_of_date' -%}
{#- Independent bins split the date's customers, counted once. -#}
{%- set frequency_group_size = 'count(*) over (partition by ' ~ frequency_group ~ ')' if nested else 'customers' -%}
{%- set monetary_group_size = 'count(*) over (partition by ' ~ monetary_group ~ ')' if nested else 'customers' -%}

with

customer_dates as (

    select * from {{ ref('int_transactions_aggregated_to_customer_dates') }}

),

recency_ranked as (

    -- Each customer's place in the order from worst to best, per dimension and group (the as-of date, or the
    -- nested group). rank() is one more than the number of customers strictly worse: the position of the first
    -- member of the customer's tie group, the same for every member. Refunds-only customers (no purchase) are
    -- one tie group at the bottom of every dimension: no recency, frequency 0, and no monetary key, so they
    -- score 1 on R, F and M whatever their net refund.
    -- ntile(bins) over a group of n: the first (n % bins) bins hold one customer more than the others, which
    -- hold n / bins (rounded down).
    select
        *,
        count(*) over (partition by as_of_date) as customers,
        rank() over (partition by as_of_date order by recency_days desc nulls first) as recency_position
    from customer_dates

),

recency_bins as (

    select
        *,
        {{ rfm_integer_divide('customers', bins.recency) }} as recency_bin_size,
        customers % {{ bins.recency }} as recency_larger_bins
    from recency_ranked

),

recency_scored as (

    -- The tie rule: a customer scores the ntile bin of their tie group's first position, so equal values get
    -- equal scores, whatever order the group's members would be in (docs block rfm_tie_rule). A position within
    -- the larger bins is in bin ceil(position / (bin_size + 1)); past them, in bin
    -- ceil((position - larger_bins) / bin_size). (bin_size is 0 only with fewer customers than bins, when every
    -- position is within the larger bins.) F and M below apply the same rule.
    select
        *,
        case
            when recency_position <= recency_larger_bins * (recency_bin_size + 1)
                then {{ rfm_integer_divide('recency_position + recency_bin_size', 'recency_bin_size + 1') }}
            else {{ rfm_integer_divide(
                'recency_position - recency_larger_bins + recency_bin_size - 1', 'nullif(recency_bin_size, 0)'
            ) }}
        end as r_score
    from recency_bins

),

frequency_ranked as (

    select
        *,
        {{ frequency_group_size }} as frequency_group_size,
        rank() over (partition by {{ frequency_group }} order by frequency asc) as frequency_position
    from recency_scored

),

frequency_bins as (

    select
        *,
        {{ rfm_integer_divide('frequency_group_size', bins.frequency) }} as frequency_bin_size,
        frequency_group_size % {{ bins.frequency }} as frequency_larger_bins
    from frequency_ranked

),

frequency_scored as (

    select
        *,
        case
            when frequency_position <= frequency_larger_bins * (frequency_bin_size + 1)
                then {{ rfm_integer_divide('frequency_position + frequency_bin_size', 'frequency_bin_size + 1') }}
            else {{ rfm_integer_divide(
                'frequency_position - frequency_larger_bins + frequency_bin_size - 1', 'nullif(frequency_bin_size, 0)'
            ) }}
        end as f_score
    from frequency_bins

),

monetary_ranked as (

    select
        *,
        {{ monetary_group_size }} as monetary_group_size,
        rank() over (
            partition by {{ monetary_group }}
            order by case when frequency > 0 then {{ monetary_measure }} end asc nulls first
        ) as monetary_position
    from frequency_scored

),

monetary_bins as (

    select
        *,
        {{ rfm_integer_divide('monetary_group_size', bins.monetary) }} as monetary_bin_size,
        monetary_group_size % {{ bins.monetary }} as monetary_larger_bins
    from monetary_ranked

),

monetary_scored as (

    select
        *,
        case
            when monetary_position <= monetary_larger_bins * (monetary_bin_size + 1)
                then {{ rfm_integer_divide('monetary_position + monetary_bin_size', 'monetary_bin_size + 1') }}
            else {{ rfm_integer_divide(
                'monetary_position - monetary_larger_bins + monetary_bin_size - 1', 'nullif(monetary_bin_size, 0)'
            ) }}
        end as m_score
    from monetary_bins

),

{%- if rfm_value_8_cut() == 'mean' %}

buyer_totals as (

    -- The date's customers who bought (refunds-only customers have no recency and no purchase), for var
    -- value_8_cut mean: their count and the sums of their measures.
    select
        *,
        count(case when frequency > 0 then 1 end) over (partition by as_of_date) as buyers,
        sum(case when frequency > 0 then recency_days end) over (partition by as_of_date) as buyers_recency_days,
        sum(case when frequency > 0 then frequency end) over (partition by as_of_date) as buyers_frequency,
        sum(case when frequency > 0 then {{ monetary_measure }} end) over (partition by as_of_date) as buyers_monetary
    from monetary_scored

),
{%- endif %}

value_coded as (

    -- value_code: R, F and M each high (1) or low (0), as the 8-type scheme is taught (111 = important value).
    {%- if rfm_value_8_cut() == 'score' %}
        -- var value_8_cut score: high is above the middle score, 2 * score > bins + 1 (4-5 of 5, 3-4 of 4, 3 of 3).
        select
            *,
            case when 2 * r_score > {{ bins.recency + 1 }} then '1' else '0' end as r_value,
            case when 2 * f_score > {{ bins.frequency + 1 }} then '1' else '0' end as f_value,
            case when 2 * m_score > {{ bins.monetary + 1 }} then '1' else '0' end as m_value
        from monetary_scored
    {%- else %}
        -- var value_8_cut mean: high is better than the mean over the date's buyers (fewer days since the last
        -- purchase, more purchases, more money), compared exactly as value x buyers against their sum; equal to
        -- the mean is low, and a customer who only refunded is low on all three.
        select
            *,
            case when frequency > 0 and recency_days * buyers < buyers_recency_days then '1' else '0' end as r_value,
            case when frequency > 0 and frequency * buyers > buyers_frequency then '1' else '0' end as f_value,
            case
                when frequency > 0 and {{ monetary_measure }} * buyers > buyers_monetary then '1' else '0'
            end as m_value
        from buyer_totals
    {%- endif %}

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
        -- The weighted score: var rfm_score_weights (100 / 10 / 1 by default; decimals make it a decimal).
        cast(
            {{ rfm_score_weight('recency') }} * r_score
            + {{ rfm_score_weight('frequency') }} * f_score
            + {{ rfm_score_weight('monetary') }} * m_score
            as {{ rfm_score_type() }}
        ) as rfm_score,
        {{ dbt.concat(['r_value', 'f_value', 'm_value']) }} as value_code
    from value_coded

)

select * from scored
