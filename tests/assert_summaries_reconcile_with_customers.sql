-- The segment and cell summaries account for every customer and every unit of revenue in customer_rfm.
with

customers as (

    select
        count(*) as customers,
        coalesce(sum(monetary), 0) as revenue
    from {{ ref('customer_rfm') }}

),

segment_summary as (

    select
        coalesce(sum(customers), 0) as customers,
        coalesce(sum(revenue), 0) as revenue
    from {{ ref('rfm_segment_summary') }}

),

cell_summary as (

    select
        coalesce(sum(customers), 0) as customers,
        coalesce(sum(revenue), 0) as revenue
    from {{ ref('rfm_cell_summary') }}

),

compared as (

    select
        customers.customers,
        customers.revenue,
        segment_summary.customers as segment_customers,
        segment_summary.revenue as segment_revenue,
        cell_summary.customers as cell_customers,
        cell_summary.revenue as cell_revenue
    from customers
    cross join segment_summary
    cross join cell_summary

)

select * from compared
where
    customers != segment_customers
    or customers != cell_customers
    or revenue != segment_revenue
    or revenue != cell_revenue
