{#- Per campaign, segment at contact and arm: the customers contacted, those who responded within var
    response_window_days, the response rate, and the net revenue in the window, in total and per contact. -#}
with

contacts_responded as (

    select * from {{ ref('int_campaign_contacts_responded') }}

),

aggregated as (

    select
        campaign_id,
        segment,
        arm,
        min(segment_priority) as segment_priority,
        count(*) as contacted_customers,
        count(case when is_responder then 1 end) as responders,
        sum(window_revenue) as window_revenue,
        count(case when is_window_open then 1 end) as open_window_contacts
    from contacts_responded
    group by campaign_id, segment, arm

),

final as (

    select
        campaign_id,
        segment,
        segment_priority,
        arm,
        cast(contacted_customers as bigint) as contacted_customers,
        cast(responders as bigint) as responders,
        cast(responders as double) / contacted_customers as response_rate,
        cast(window_revenue as {{ rfm_money_type() }}) as window_revenue,
        {{ rfm_money_divide('window_revenue', 'contacted_customers') }} as revenue_per_contact,
        cast(open_window_contacts as bigint) as open_window_contacts
    from aggregated

)

select * from final
