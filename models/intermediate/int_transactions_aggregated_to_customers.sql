{#- Hughes' recency, frequency and monetary, plus tenure, per customer, counted to the as-of date. -#}
with

totals as (

    select * from {{ ref('int_transactions_summed_to_customers') }}

),

scoring_window as (

    select * from {{ ref('int_scoring_window') }}

),

measured as (

    select
        totals.customer_id,
        totals.first_purchase_at,
        totals.last_purchase_at,
        cast(
            {{ dbt.datediff('cast(totals.last_purchase_at as date)', 'scoring_window.as_of_date', 'day') }}
            as integer
        ) as recency_days,
        totals.frequency,
        totals.refunds,
        totals.monetary,
        -- Gross: what an average purchase was worth before refunds; null for a refunds-only customer.
        {{ rfm_money_divide('totals.purchase_amount', 'totals.frequency') }} as avg_order_value,
        cast(
            {{ dbt.datediff('cast(totals.first_purchase_at as date)', 'scoring_window.as_of_date', 'day') }}
            as integer
        ) as tenure_days,
        scoring_window.as_of_date
    from totals
    cross join scoring_window

)

select * from measured
