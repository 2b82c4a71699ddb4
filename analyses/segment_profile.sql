-- Segment profile: who is in each segment, and how they compare with the average customer.
-- An index of 100 is the average customer; 200 means twice the average. Compile with `dbt compile` and run
-- the SQL in target/compiled/rfm/analyses/ against the DuckDB file (or paste it into a BI tool).
with

customers as (

    select * from {{ ref('customer_rfm') }}

),

overall as (

    select
        avg(recency_days) as avg_recency_days,
        avg(frequency) as avg_frequency,
        avg(monetary) as avg_monetary,
        avg(avg_order_value) as avg_order_value,
        avg(tenure_days) as avg_tenure_days
    from customers

),

per_segment as (

    select
        segment,
        segment_priority,
        count(*) as customers,
        sum(monetary) as revenue,
        avg(recency_days) as avg_recency_days,
        median(recency_days) as median_recency_days,
        avg(frequency) as avg_frequency,
        median(frequency) as median_frequency,
        avg(monetary) as avg_monetary,
        median(monetary) as median_monetary,
        avg(avg_order_value) as avg_order_value,
        avg(tenure_days) as avg_tenure_days,
        sum(refunds) / nullif(sum(frequency + refunds), 0) as refund_rate
    from customers
    group by segment, segment_priority

),

profiled as (

    select
        per_segment.segment,
        per_segment.customers,
        per_segment.revenue,
        per_segment.median_recency_days,
        per_segment.median_frequency,
        per_segment.median_monetary,
        per_segment.refund_rate,
        round(100 * per_segment.avg_recency_days / nullif(overall.avg_recency_days, 0)) as recency_index,
        round(100 * per_segment.avg_frequency / nullif(overall.avg_frequency, 0)) as frequency_index,
        round(100 * per_segment.avg_monetary / nullif(overall.avg_monetary, 0)) as monetary_index,
        round(100 * per_segment.avg_order_value / nullif(overall.avg_order_value, 0)) as order_value_index,
        round(100 * per_segment.avg_tenure_days / nullif(overall.avg_tenure_days, 0)) as tenure_index,
        per_segment.segment_priority
    from per_segment
    cross join overall

)

select * from profiled
order by segment_priority
