{#- The current as-of date's customers: their measures, scores and segment. -#}
with

customers_segmented as (

    select * from {{ ref('int_customers_segmented') }}

),

scoring_window as (

    select * from {{ ref('int_scoring_window') }}

),

current_customers as (

    select
        customers_segmented.customer_id,
        customers_segmented.as_of_date,
        customers_segmented.first_purchase_at,
        customers_segmented.last_purchase_at,
        customers_segmented.recency_days,
        customers_segmented.frequency,
        customers_segmented.refunds,
        customers_segmented.monetary,
        customers_segmented.avg_order_value,
        customers_segmented.tenure_days,
        customers_segmented.avg_days_between_purchases,
        customers_segmented.r_score,
        customers_segmented.f_score,
        customers_segmented.m_score,
        customers_segmented.rfm_cell,
        customers_segmented.rfm_score,
        customers_segmented.value_code,
        customers_segmented.segment_scheme,
        customers_segmented.segment,
        customers_segmented.segment_priority,
        customers_segmented.segment_level,
        customers_segmented.segment_description,
        customers_segmented.segment_action
    from customers_segmented
    inner join scoring_window
        on customers_segmented.as_of_date = scoring_window.as_of_date

)

select * from current_customers
