{#- Point in time: for every backfilled history date, each customer's RFM measures exactly as a build with
    as_of_date set to that date would compute them (only transactions before it, the same lookback window),
    plus their activity in the period that ends at it. The current date comes from customer_rfm itself. -#}
with

transactions as (

    select * from {{ ref('stg_transactions') }}
    {%- if rfm_history_start_date() is none %}
        -- No backfill: nothing to compute (a constant filter, so the scan is not even planned).
        where false
    {%- endif %}

),

history_dates as (

    select * from {{ ref('int_history_as_of_dates') }}
    where not is_current

),

daily as (

    -- One row per customer and day first: the join below then repeats days, not transactions, per date.
    select
        customer_id,
        transaction_date,
        {{ rfm_transaction_totals() }}
    from transactions
    where transaction_date < (select max(history_dates.as_of_date) from history_dates)
    group by customer_id, transaction_date

),

point_in_time as (

    select
        history_dates.as_of_date,
        history_dates.period_start_date,
        daily.customer_id,
        daily.transaction_date,
        daily.first_purchase_at,
        daily.last_purchase_at,
        daily.frequency,
        daily.refunds,
        daily.monetary,
        daily.purchase_amount
    from daily
    inner join history_dates
        on
            daily.transaction_date < history_dates.as_of_date
            and (
                history_dates.window_start_date is null
                or daily.transaction_date >= history_dates.window_start_date
            )

),

summed as (

    select
        as_of_date,
        customer_id,
        {{ rfm_rolled_up_totals() }},
        sum(case when transaction_date >= period_start_date then frequency else 0 end) as period_purchases,
        sum(case when transaction_date >= period_start_date then monetary else 0 end) as period_revenue
    from point_in_time
    group by as_of_date, customer_id

),

measured as (

    select
        summed.customer_id,
        summed.first_purchase_at,
        summed.last_purchase_at,
        cast(summed.frequency as bigint) as frequency,
        cast(summed.refunds as bigint) as refunds,
        cast(summed.monetary as {{ rfm_money_type() }}) as monetary,
        {{ rfm_customer_measures('summed', 'summed.as_of_date') }},
        summed.as_of_date,
        cast(summed.period_purchases as bigint) as period_purchases,
        cast(summed.period_revenue as {{ rfm_money_type() }}) as period_revenue
    from summed

)

select * from measured
