{#- One row per customer and history as-of date: the measures, scores and segment a build at that date gives,
    and the customer's activity in the period ending at it. A table of this run's dates (the current one, plus
    the backfill when history_start_date is set); with var history_snapshots, incremental on as_of_date: a run
    replaces the dates it computes and keeps the others, so scheduled runs accumulate snapshots. -#}
{#- Spark stores each date in its own folder, so that a snapshot run overwrites only the dates it computes. -#}
{{ config(partition_by='as_of_date' if target.type == 'spark' else none) }}
{%- set campaigns = rfm_campaign_contacts_path() is not none and target.type == 'duckdb' %}

with

customers_segmented as (

    select * from {{ ref('int_customers_segmented') }}

),
{%- if campaigns %}

history_dates as (

    select * from {{ ref('int_history_as_of_dates') }}

),
{%- endif %}

final as (

    select
        as_of_date,
        customer_id,
        recency_days,
        frequency,
        refunds,
        monetary,
        avg_order_value,
        tenure_days,
        avg_days_between_purchases,
        r_score,
        f_score,
        m_score,
        rfm_cell,
        rfm_score,
        segment_scheme,
        segment,
        segment_priority,
        period_purchases,
        period_revenue,
        segment_level,
        value_code
    from customers_segmented
    {%- if campaigns %}
        -- The campaign contact dates are scored too (int_campaign_contact_dates): the history keeps its own.
        where as_of_date in (select history_dates.as_of_date from history_dates)
    {%- endif %}

)

select * from final
