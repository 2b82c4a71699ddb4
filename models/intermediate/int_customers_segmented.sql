{#- Each scored customer and as-of date with the segment of the chosen scheme (var segment_scheme): the one
    place a cell becomes a segment. customer_rfm is its current date, customer_rfm_history all its dates. -#}
{%- set segment_scheme = rfm_segment_scheme(ref('rfm_segment_map')) -%}
{%- set bins = rfm_bins() -%}
{#- value_8 cut at the means (var value_8_cut): the segment is the one of the customer's value_code, not of the
    cell (the scores are not cut at the means). -#}
{%- set by_value_code = segment_scheme == 'value_8' and rfm_value_8_cut() == 'mean' -%}

with

customers_scored as (

    select * from {{ ref('int_customers_scored') }}

),

segment_cells as (

    select * from {{ ref('int_segment_map_expanded_to_cells') }}
    where
        segment_scheme = {{ rfm_string_literal(segment_scheme) }}
        and r_bins = {{ bins.recency }}
        and f_bins = {{ bins.frequency }}
        and m_bins = {{ bins.monetary }}

),

segment_definitions as (

    select * from {{ ref('rfm_segment_definitions') }}
    where segment_scheme = {{ rfm_string_literal(segment_scheme) }}

),

segmented as (

    select
        customers_scored.customer_id,
        customers_scored.as_of_date,
        customers_scored.first_purchase_at,
        customers_scored.last_purchase_at,
        customers_scored.recency_days,
        customers_scored.frequency,
        customers_scored.refunds,
        customers_scored.monetary,
        customers_scored.avg_order_value,
        customers_scored.tenure_days,
        customers_scored.avg_days_between_purchases,
        customers_scored.period_purchases,
        customers_scored.period_revenue,
        customers_scored.r_score,
        customers_scored.f_score,
        customers_scored.m_score,
        customers_scored.rfm_cell,
        customers_scored.rfm_score,
        customers_scored.value_code,
        segment_definitions.segment_scheme,
        segment_definitions.segment,
        segment_definitions.priority as segment_priority,
        segment_definitions.segment_level,
        segment_definitions.segment_description,
        segment_definitions.segment_action
    from customers_scored
    {%- if by_value_code %}
    left join segment_definitions
        on customers_scored.value_code = segment_definitions.value_code
    {%- else %}
    left join segment_cells
        on
            customers_scored.r_score = segment_cells.r_score
            and customers_scored.f_score = segment_cells.f_score
            and customers_scored.m_score = segment_cells.m_score
    left join segment_definitions
        on segment_cells.segment = segment_definitions.segment
    {%- endif %}

)

select * from segmented
