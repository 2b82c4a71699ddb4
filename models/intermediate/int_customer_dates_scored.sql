{#- R, F and M scores per customer and backfilled history date, binned within each date, by the same steps as
    int_customers_scored (macros/rfm_scoring.sql). -#}
with

customer_dates as (

    select * from {{ ref('int_transactions_aggregated_to_customer_dates') }}

),

{{ rfm_score_ctes('customer_dates', carried=['period_purchases', 'period_revenue']) }}

select * from scored
