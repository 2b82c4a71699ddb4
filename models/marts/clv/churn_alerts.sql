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

summaries as (

    select * from {{ ref('int_customers_summarised_for_clv') }}
    where is_previous

),

parameters as (

    select * from {{ ref('clv_model_parameters') }}
    where model = 'bg_nbd' and is_fitted

),

settings as (

    select * from {{ ref('int_clv_settings') }}

),

bg_nbd as (

    select
        max(case when parameter = 'r' then value end) as r,
        max(case when parameter = 'alpha' then value end) as alpha,
        max(case when parameter = 'a' then value end) as a,
        max(case when parameter = 'b' then value end) as b
    from parameters
    having count(*) = 4

),

previous_p_alive as (

    -- FHL (2005) eq. 11, as customer_clv computes it: 1 / (1 + the odds of having dropped out), 1 without
    -- repeat purchases.
    select
        summaries.as_of_date,
        summaries.customer_id,
        1.0 / (
            1.0 + case
                when summaries.x > 0
                    then
                        bg_nbd.a / (bg_nbd.b + summaries.x - 1)
                        * power(
                            (bg_nbd.alpha + summaries.t_cal) / (bg_nbd.alpha + summaries.t_x), bg_nbd.r + summaries.x
                        )
                else 0.0
            end
        ) as p_alive
    from summaries
    cross join bg_nbd

),

previous_state as (

    select
        previous_p_alive.as_of_date,
        previous_p_alive.customer_id,
        previous_p_alive.p_alive,
        case
            when previous_p_alive.p_alive < settings.churn_high_below then 'high'
            when previous_p_alive.p_alive < settings.churn_medium_below then 'medium'
            else 'low'
        end as churn_band,
        case
            when previous_p_alive.p_alive < settings.churn_high_below then 3
            when previous_p_alive.p_alive < settings.churn_medium_below then 2
            else 1
        end as churn_rank,
        history.segment,
        history.segment_priority,
        history.segment_level
    from previous_p_alive
    cross join settings
    inner join history
        on
            previous_p_alive.as_of_date = history.as_of_date
            and previous_p_alive.customer_id = history.customer_id

),

current_state as (

    select
        as_of_date,
        customer_id,
        p_alive,
        churn_band,
        case churn_band when 'high' then 3 when 'medium' then 2 else 1 end as churn_rank,
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
