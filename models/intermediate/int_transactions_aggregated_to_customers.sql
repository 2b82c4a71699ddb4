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
        totals.frequency,
        totals.refunds,
        totals.monetary,
        {{ rfm_customer_measures('totals', 'scoring_window.as_of_date') }},
        scoring_window.as_of_date
    from totals
    cross join scoring_window

)

select * from measured
