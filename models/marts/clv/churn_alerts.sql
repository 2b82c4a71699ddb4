{#- Churn early warning: valuable customers whose churn risk or segment got worse since the previous history
    date, with both states and the action the current segment's seed row recommends. Valuable: in a top
    segment (segment_level VIP) at the previous date, or in the top decile of expected value now. Worse: the
    churn band went up (low, medium, high) or the segment's priority number went up (a lower-ranked segment).
    The previous date's P(alive) is the BG/NBD closed form at the current fit's parameters, so a change is the
    customer's own behaviour, not a refit. A customer gone from the window since is not here (it is in
    segment_migration as gone). Without a fit or a previous date: no rows. -#}
{%- set segment_scheme = rfm_segment_scheme(ref('rfm_segment_map')) -%}

with

customers as (

    select * from {{ ref('customer_rfm') }}

),

history as (

    select * from {{ ref('customer_rfm_history') }}
    where segment_scheme = {{ rfm_string_literal(segment_scheme) }}

),

previous_scores as (

    -- At the current fit's parameters (int_customers_scored_for_clv; no fit, no rows).
    select * from {{ ref('int_customers_scored_for_clv') }}
    where is_previous

),

previous_state as (

    select
        previous_scores.as_of_date,
        previous_scores.customer_id,
        previous_scores.p_alive,
        previous_scores.churn_band,
        {{ rfm_churn_band_rank('previous_scores.churn_band') }} as churn_rank,
        history.segment,
        history.segment_priority,
        history.segment_level
    from previous_scores
    inner join history
        on
            previous_scores.as_of_date = history.as_of_date
            and previous_scores.customer_id = history.customer_id

),

current_state as (

    select
        as_of_date,
        customer_id,
        p_alive,
        churn_band,
        {{ rfm_churn_band_rank('churn_band') }} as churn_rank,
        expected_value,
        segment,
        segment_priority,
        segment_action,
        -- customer_id breaks ties: the decile is the same whatever the row order.
        ntile(10) over (order by expected_value desc nulls last, customer_id asc) as value_decile
    from customers
    where p_alive is not null

),

compared as (

    select
        current_state.as_of_date,
        previous_state.as_of_date as previous_as_of_date,
        current_state.customer_id,
        previous_state.segment as previous_segment,
        current_state.segment,
        previous_state.churn_band as previous_churn_band,
        current_state.churn_band,
        previous_state.p_alive as previous_p_alive,
        current_state.p_alive,
        current_state.expected_value,
        current_state.value_decile,
        previous_state.segment_level = 'VIP' as was_top_segment,
        current_state.churn_rank > previous_state.churn_rank as is_churn_band_worse,
        current_state.segment_priority > previous_state.segment_priority as is_segment_worse,
        current_state.segment_action
    from current_state
    inner join previous_state
        on current_state.customer_id = previous_state.customer_id

),

final as (

    select
        as_of_date,
        previous_as_of_date,
        customer_id,
        previous_segment,
        segment,
        previous_churn_band,
        churn_band,
        previous_p_alive,
        p_alive,
        expected_value,
        value_decile,
        case
            when is_churn_band_worse and is_segment_worse then 'churn_band_and_segment_worse'
            when is_churn_band_worse then 'churn_band_worse'
            else 'segment_worse'
        end as alert_reason,
        segment_action
    from compared
    where
        (was_top_segment or value_decile = 1)
        and (is_churn_band_worse or is_segment_worse)

)

select * from final
