with

transactions as (

    select * from {{ ref('stg_transactions') }}

),

scoring_window as (

    select * from {{ ref('int_scoring_window') }}

),

windowed as (

    -- stg_transactions already holds only rows before as_of_date (later ones are quarantined, and the
    -- default as_of_date follows the latest row); the lookback only trims the start.
    select
        transactions.customer_id,
        transactions.transaction_at,
        transactions.amount,
        transactions.is_refund
    from transactions
    cross join scoring_window
    where
        scoring_window.window_start_date is null
        or transactions.transaction_date >= scoring_window.window_start_date

),

aggregated as (

    select
        customer_id,
        min(case when not is_refund then transaction_at end) as first_purchase_at,
        max(case when not is_refund then transaction_at end) as last_purchase_at,
        sum(case when not is_refund then 1 else 0 end) as frequency,
        sum(case when is_refund then 1 else 0 end) as refunds,
        sum(amount) as monetary,
        sum(case when not is_refund then amount else 0 end) as purchase_amount
    from windowed
    group by customer_id

),

measured as (

    select
        aggregated.customer_id,
        aggregated.first_purchase_at,
        aggregated.last_purchase_at,
        cast(
            {{ dbt.datediff('cast(aggregated.last_purchase_at as date)', 'scoring_window.as_of_date', 'day') }}
            as integer
        ) as recency_days,
        cast(aggregated.frequency as bigint) as frequency,
        cast(aggregated.refunds as bigint) as refunds,
        cast(aggregated.monetary as {{ rfm_money_type() }}) as monetary,
        -- Gross: what an average purchase was worth before refunds; null for a refunds-only customer.
        {{ rfm_money_divide('aggregated.purchase_amount', 'aggregated.frequency') }} as avg_order_value,
        cast(
            {{ dbt.datediff('cast(aggregated.first_purchase_at as date)', 'scoring_window.as_of_date', 'day') }}
            as integer
        ) as tenure_days,
        scoring_window.as_of_date
    from aggregated
    cross join scoring_window

)

select * from measured
