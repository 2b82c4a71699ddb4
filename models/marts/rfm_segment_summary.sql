{%- set segment_scheme = rfm_segment_scheme(ref('rfm_segment_map')) -%}
with

customers as (

    select * from {{ ref('customer_rfm') }}

),

segment_definitions as (

    select * from {{ ref('rfm_segment_definitions') }}
    where segment_scheme = {{ rfm_string_literal(segment_scheme) }}

),

per_segment as (

    select
        segment,
        count(*) as customers,
        sum(monetary) as revenue,
        avg(recency_days) as avg_recency_days,
        avg(frequency) as avg_frequency,
        -- Exact to the cent on every engine (DuckDB's avg of decimals is a double).
        {{ rfm_money_divide('sum(monetary)', 'count(*)') }} as avg_monetary
    from customers
    group by segment

),

totals as (

    select
        max(as_of_date) as as_of_date,
        count(*) as customers,
        sum(monetary) as revenue
    from customers

),

summarised as (

    -- Every segment of the scheme is listed, with 0 customers when none fell into it this run.
    select
        segment_definitions.segment_scheme,
        segment_definitions.segment,
        segment_definitions.priority as segment_priority,
        segment_definitions.segment_level,
        coalesce(per_segment.customers, 0) as customers,
        cast(coalesce(per_segment.customers, 0) as double) / nullif(totals.customers, 0) as share_of_customers,
        cast(coalesce(per_segment.revenue, 0) as {{ rfm_money_type() }}) as revenue,
        cast(coalesce(per_segment.revenue, 0) as double) / nullif(totals.revenue, 0) as share_of_revenue,
        cast(per_segment.avg_recency_days as double) as avg_recency_days,
        cast(per_segment.avg_frequency as double) as avg_frequency,
        cast(per_segment.avg_monetary as {{ rfm_money_type() }}) as avg_monetary,
        segment_definitions.segment_description,
        segment_definitions.segment_action,
        totals.as_of_date
    from segment_definitions
    cross join totals
    left join per_segment
        on segment_definitions.segment = per_segment.segment

)

select * from summarised
