{#- One row per customer and history as-of date: the measures, scores and segment a build at that date gives,
    and the customer's activity in the period ending at it. Incremental on as_of_date: a run replaces the
    dates it computes (the current one, plus the backfill when history_start_date is set) and keeps the
    others, so scheduled runs without a backfill accumulate snapshots. -#}
{#- Spark stores each date in its own folder, so that a snapshot run overwrites only the dates it computes. -#}
{{ config(partition_by='as_of_date' if target.type == 'spark' else none) }}
{%- set segment_scheme = rfm_segment_scheme(ref('rfm_segment_map')) -%}

with

current_customers as (

    select * from {{ ref('customer_rfm') }}

),

backfilled_customers as (

    select * from {{ ref('int_customer_dates_scored') }}

),

history_dates as (

    select * from {{ ref('int_history_as_of_dates') }}

),

transactions as (

    select * from {{ ref('stg_transactions') }}

),

{{ rfm_segment_lookup_ctes(segment_scheme) }},

current_period as (

    -- The current date's scores are customer_rfm's own; only its period activity is computed here, over
    -- the same transactions a backfilled date counts (the period, inside the lookback window).
    select
        transactions.customer_id,
        count(case when not transactions.is_refund then 1 end) as period_purchases,
        sum(transactions.amount) as period_revenue
    from transactions
    inner join history_dates
        on
            history_dates.is_current
            and transactions.transaction_date >= history_dates.period_start_date
            and transactions.transaction_date < history_dates.as_of_date
            and (
                history_dates.window_start_date is null
                or transactions.transaction_date >= history_dates.window_start_date
            )
    group by transactions.customer_id

),

current_rows as (

    select
        current_customers.as_of_date,
        current_customers.customer_id,
        current_customers.recency_days,
        current_customers.frequency,
        current_customers.refunds,
        current_customers.monetary,
        current_customers.avg_order_value,
        current_customers.tenure_days,
        current_customers.r_score,
        current_customers.f_score,
        current_customers.m_score,
        current_customers.rfm_cell,
        current_customers.rfm_score,
        current_customers.segment_scheme,
        current_customers.segment,
        current_customers.segment_priority,
        coalesce(current_period.period_purchases, 0) as period_purchases,
        coalesce(current_period.period_revenue, 0) as period_revenue
    from current_customers
    left join current_period
        on current_customers.customer_id = current_period.customer_id

),

backfilled_rows as (

    select
        backfilled_customers.as_of_date,
        backfilled_customers.customer_id,
        backfilled_customers.recency_days,
        backfilled_customers.frequency,
        backfilled_customers.refunds,
        backfilled_customers.monetary,
        backfilled_customers.avg_order_value,
        backfilled_customers.tenure_days,
        backfilled_customers.r_score,
        backfilled_customers.f_score,
        backfilled_customers.m_score,
        backfilled_customers.rfm_cell,
        backfilled_customers.rfm_score,
        segment_cells.segment_scheme,
        segment_cells.segment,
        segment_definitions.priority as segment_priority,
        backfilled_customers.period_purchases,
        backfilled_customers.period_revenue
    from backfilled_customers
    left join segment_cells
        on
            backfilled_customers.r_score = segment_cells.r_score
            and backfilled_customers.f_score = segment_cells.f_score
            and backfilled_customers.m_score = segment_cells.m_score
    left join segment_definitions
        on segment_cells.segment = segment_definitions.segment

),

unioned as (

    select * from current_rows
    union all
    select * from backfilled_rows

),

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
        r_score,
        f_score,
        m_score,
        rfm_cell,
        rfm_score,
        segment_scheme,
        segment,
        segment_priority,
        period_purchases,
        cast(period_revenue as {{ rfm_money_type() }}) as period_revenue
    from unioned

)

select * from final
