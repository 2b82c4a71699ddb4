{#- Each customer's totals over the scoring window (all history unless lookback_days is set): the additive part
    of RFM, independent of the as-of date, so that a daily run only updates the customers its new rows touch
    (incremental, keyed on customer_id; macros/rfm_customer_totals_plan.sql says how, or when it recomputes
    everyone). -#}
{%- set plan = rfm_customer_totals_plan() -%}
-- The plan's guard reads the per-file counts: they are updated first. A recount reads staging's new rows.
-- depends_on: {{ ref('int_transactions_aggregated_to_file_dates') }}
-- depends_on: {{ ref('stg_transactions') }}

with

purchases as (

    select * from {{ ref('int_transactions_aggregated_to_purchases') }}
    {%- if plan.mode == 'customers' %}
    -- New files whose rows are purchases by themselves: their purchases are added to their customers' totals.
    where source_file in ({{ rfm_string_list(plan.files) }})
    {%- elif plan.mode == 'recount' %}
    -- New files with order lines (an order's lines may span files): the customers they touch are recounted.
    where customer_id in (
        select arriving.customer_id from {{ ref('stg_transactions') }} as arriving
        where arriving.source_file in ({{ rfm_string_list(plan.files) }})
    )
    {%- elif plan.mode == 'none' %}
    where false
    {%- endif %}

),

scoring_window as (

    select * from {{ ref('int_scoring_window') }}

),

file_loads as (

    select * from {{ ref('stg_transaction_file_loads') }}

),

windowed as (

    -- Staging already holds only rows before as_of_date (later ones are quarantined, and the
    -- default as_of_date follows the latest row); the lookback only trims the start.
    select
        purchases.customer_id,
        purchases.transaction_at,
        purchases.transaction_date,
        purchases.amount,
        purchases.is_refund,
        purchases.transaction_rows
    from purchases
    cross join scoring_window
    where
        scoring_window.window_start_date is null
        or purchases.transaction_date >= scoring_window.window_start_date

),

summed as (

    select
        customer_id,
        {{ rfm_transaction_totals() }}
    from windowed
    group by customer_id

),

previous_totals as (

    {%- if plan.mode == 'customers' %}
        -- Totals add up: what the customers with new purchases had before, plus those purchases (new files
        -- only add rows; anything else is a full computation).
        select
            customer_id,
            first_purchase_at,
            last_purchase_at,
            frequency,
            refunds,
            monetary,
            purchase_amount,
            transaction_rows
        from {{ this }}
        where customer_id in (select summed.customer_id from summed)
    {%- else %}
        select * from summed
        where false
    {%- endif %}

),

combined as (

    select * from previous_totals
    union all
    select * from summed

),

merged as (

    select
        customer_id,
        {{ rfm_rolled_up_totals() }}
    from combined
    group by customer_id

),

loaded as (

    select max(loaded_at) as loaded_through
    from file_loads

),

final as (

    select
        merged.customer_id,
        merged.first_purchase_at,
        merged.last_purchase_at,
        cast(merged.frequency as bigint) as frequency,
        cast(merged.refunds as bigint) as refunds,
        -- Exact: rounded to the cent once, where the measures are taken (an order line's amount has up to 8
        -- decimals).
        cast(merged.monetary as {{ rfm_exact_sum_type() }}) as monetary,
        cast(merged.purchase_amount as {{ rfm_exact_sum_type() }}) as purchase_amount,
        cast(merged.transaction_rows as bigint) as transaction_rows,
        -- What frequency counts here (var frequency_unit): a run with another unit recomputes everyone.
        {{ rfm_string_literal(rfm_frequency_unit()) }} as frequency_unit,
        loaded.loaded_through
    from merged
    cross join loaded

)

select * from final
