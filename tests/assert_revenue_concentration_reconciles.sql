-- revenue_concentration counts every customer of customer_rfm and all their net revenue, and its top shares
-- grow with the share of customers (the top 5% hold at least what the top 1% hold, and so on) and never
-- exceed all revenue when nobody has net refunds.
with

concentration as (

    select * from {{ ref('revenue_concentration') }}

),

customers as (

    select * from {{ ref('customer_rfm') }}

),

totals as (

    select
        count(*) as customers,
        coalesce(sum(monetary), 0) as revenue,
        count(case when monetary < 0 then 1 end) as customers_with_net_refunds
    from customers

),

compared as (

    select
        concentration.customers,
        concentration.revenue,
        concentration.top_1_percent_revenue,
        concentration.top_5_percent_revenue,
        concentration.top_10_percent_revenue,
        concentration.top_20_percent_revenue,
        totals.customers as mart_customers,
        totals.revenue as mart_revenue,
        totals.customers_with_net_refunds
    from concentration
    cross join totals

)

select * from compared
where
    customers != mart_customers
    or revenue != mart_revenue
    or top_1_percent_revenue > top_5_percent_revenue
    or top_5_percent_revenue > top_10_percent_revenue
    or top_10_percent_revenue > top_20_percent_revenue
    or (customers_with_net_refunds = 0 and top_20_percent_revenue > revenue)
