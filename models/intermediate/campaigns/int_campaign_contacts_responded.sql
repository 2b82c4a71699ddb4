{#- One row per usable contact: the customer's segment at contact (a build at the contact date's segment, or
    '(new)' when that build lists no such customer: no transaction before the contact day), and whether the
    customer responded: made a purchase (amount >= 0) at or after contacted_at and before contacted_at + var
    response_window_days; window_revenue is the net amount (refunds included) in that window. -#}
{%- set window_days = rfm_response_window_days() -%}

with

contacts as (

    select * from {{ ref('stg_campaign_contacts') }}

),

customers_segmented as (

    select * from {{ ref('int_customers_segmented') }}

),

purchases as (

    select * from {{ ref('int_transactions_aggregated_to_purchases') }}

),

scoring_window as (

    select * from {{ ref('int_scoring_window') }}

),

contacts_segmented as (

    select
        contacts.campaign_id,
        contacts.customer_id,
        contacts.arm,
        contacts.strategy,
        contacts.contacted_at,
        contacts.contact_date,
        {{ dbt.dateadd('day', window_days, 'contacts.contacted_at') }} as response_window_end_at,
        coalesce(customers_segmented.segment, '(new)') as segment,
        customers_segmented.segment_priority
    from contacts
    left join customers_segmented
        on
            contacts.customer_id = customers_segmented.customer_id
            and contacts.contact_date = customers_segmented.as_of_date

),

window_purchases as (

    select
        contacts_segmented.campaign_id,
        contacts_segmented.customer_id,
        count(case when not purchases.is_refund then 1 end) as window_purchases,
        sum(purchases.amount) as window_revenue
    from contacts_segmented
    inner join purchases
        on
            contacts_segmented.customer_id = purchases.customer_id
            and contacts_segmented.contacted_at <= purchases.transaction_at
            and contacts_segmented.response_window_end_at > purchases.transaction_at
    group by contacts_segmented.campaign_id, contacts_segmented.customer_id

),

responded as (

    select
        contacts_segmented.campaign_id,
        contacts_segmented.customer_id,
        contacts_segmented.arm,
        contacts_segmented.strategy,
        contacts_segmented.contacted_at,
        contacts_segmented.contact_date,
        contacts_segmented.segment,
        contacts_segmented.segment_priority,
        coalesce(window_purchases.window_purchases, 0) > 0 as is_responder,
        cast(coalesce(window_purchases.window_purchases, 0) as bigint) as window_purchases,
        cast(coalesce(window_purchases.window_revenue, 0) as {{ rfm_money_type() }}) as window_revenue,
        -- The window reaches the as-of date: purchases after it are not in this build, so the response is
        -- not yet fully seen.
        contacts_segmented.response_window_end_at > cast(scoring_window.as_of_date as timestamp) as is_window_open
    from contacts_segmented
    cross join scoring_window
    left join window_purchases
        on
            contacts_segmented.campaign_id = window_purchases.campaign_id
            and contacts_segmented.customer_id = window_purchases.customer_id

)

select * from responded
