{#- One row per campaign and segment at contact, plus the campaign's overall row (segment '(all)'): each arm's
    customers, responders and window revenue, and the revenue's sample variance (what strategy_evaluation's
    tests need). An arm with no contact there has 0 customers. -#}
{#- The same aggregates for a segment's row and the campaign's overall row. -#}
{%- set arm_aggregates -%}
    {%- for arm in ['test', 'control'] %}
        count(case when arm = '{{ arm }}' then 1 end) as {{ arm }}_customers,
        count(case when arm = '{{ arm }}' and is_responder then 1 end) as {{ arm }}_responders,
        sum(case when arm = '{{ arm }}' then window_revenue else 0 end) as {{ arm }}_revenue,
        var_samp(case when arm = '{{ arm }}' then cast(window_revenue as double) end) as {{ arm }}_revenue_variance,
    {%- endfor %}
        -- The test arm's strategy, when its contacts there name one.
        case
            when min(case when arm = 'test' then strategy end) = max(case when arm = 'test' then strategy end)
                then min(case when arm = 'test' then strategy end)
        end as strategy
{%- endset %}

with

contacts_responded as (

    select * from {{ ref('int_campaign_contacts_responded') }}

),

per_segment as (

    select
        campaign_id,
        segment,
        false as is_overall,
        min(segment_priority) as segment_priority,
        {{ arm_aggregates }}
    from contacts_responded
    group by campaign_id, segment

),

overall as (

    select
        campaign_id,
        '(all)' as segment,
        true as is_overall,
        cast(null as integer) as segment_priority,
        {{ arm_aggregates }}
    from contacts_responded
    group by campaign_id

),

unioned as (

    select * from per_segment
    union all
    select * from overall

),

final as (

    select
        campaign_id,
        segment,
        is_overall,
        segment_priority,
        strategy,
        cast(test_customers as bigint) as test_customers,
        cast(control_customers as bigint) as control_customers,
        cast(test_responders as bigint) as test_responders,
        cast(control_responders as bigint) as control_responders,
        cast(test_revenue as {{ rfm_money_type() }}) as test_revenue,
        cast(control_revenue as {{ rfm_money_type() }}) as control_revenue,
        test_revenue_variance,
        control_revenue_variance
    from unioned

)

select * from final
