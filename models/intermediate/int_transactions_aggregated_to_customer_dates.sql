{#- One row per customer and history as-of date (the current one always; the backfilled ones when
    history_start_date is set): Hughes' recency, frequency and monetary, plus tenure, exactly as a build with
    as_of_date set to that date would count them (only transactions before it, in its lookback window), and
    the customer's activity in the period that ends at it. The current date's totals come from
    int_transactions_summed_to_customers, which a daily run only updates; a backfilled date is summed here
    from one row per customer and day. With var campaign_contacts_path, each contact date is scored too, as a
    build at it would be (int_campaign_contact_dates); customer_rfm_history keeps only the history's dates. -#}
{%- set campaigns = rfm_campaign_contacts_path() is not none and target.type == 'duckdb' -%}
with

customer_totals as (

    select * from {{ ref('int_transactions_summed_to_customers') }}

),

purchases as (

    select * from {{ ref('int_transactions_aggregated_to_purchases') }}

),

history_dates as (

    select * from {{ ref('int_history_as_of_dates') }}

),
{%- if campaigns %}

campaign_contact_dates as (

    select * from {{ ref('int_campaign_contact_dates') }}

),
{%- endif %}

scored_dates as (

    select * from history_dates
    {%- if campaigns %}
        union all
        -- A contact date the history already scores is scored once.
        select * from campaign_contact_dates
        where as_of_date not in (select history_dates.as_of_date from history_dates)
    {%- endif %}

),

current_date_row as (

    select * from scored_dates
    where is_current

),

backfilled_dates as (

    select * from scored_dates
    where not is_current

),

daily as (

    -- One row per customer and day first: the join below then repeats days, not purchases, per date. An order
    -- counts whole at its first line's date (a build with as_of_date between its lines' dates would quarantine
    -- the later lines as after_as_of_date).
    select
        customer_id,
        transaction_date,
        {{ rfm_transaction_totals() }}
    from purchases
    where
        {%- if rfm_history_start_date() is none and not campaigns %}
            -- No backfill: nothing to compute (a constant filter, so the scan is not even planned).
            false
        {%- else %}
            transaction_date < (select max(backfilled_dates.as_of_date) from backfilled_dates)
        {%- endif %}
    group by customer_id, transaction_date

),

daily_at_backfilled_dates as (

    select
        backfilled_dates.as_of_date,
        backfilled_dates.period_start_date,
        daily.customer_id,
        daily.transaction_date,
        daily.first_purchase_at,
        daily.last_purchase_at,
        daily.frequency,
        daily.refunds,
        daily.monetary,
        daily.purchase_amount,
        daily.transaction_rows
    from daily
    inner join backfilled_dates
        on
            daily.transaction_date < backfilled_dates.as_of_date
            and (
                backfilled_dates.window_start_date is null
                or daily.transaction_date >= backfilled_dates.window_start_date
            )

),

backfilled_totals as (

    select
        as_of_date,
        customer_id,
        {{ rfm_rolled_up_totals() }},
        sum(case when transaction_date >= period_start_date then frequency else 0 end) as period_purchases,
        sum(case when transaction_date >= period_start_date then monetary else 0 end) as period_revenue
    from daily_at_backfilled_dates
    group by as_of_date, customer_id

),

current_period as (

    -- The current date's period activity, over the purchases its totals count (the period, inside the
    -- lookback window).
    select
        purchases.customer_id,
        {{ rfm_purchase_count() }} as period_purchases,
        sum(purchases.amount) as period_revenue
    from purchases
    inner join current_date_row
        on
            purchases.transaction_date >= current_date_row.period_start_date
            and purchases.transaction_date < current_date_row.as_of_date
            and (
                current_date_row.window_start_date is null
                or purchases.transaction_date >= current_date_row.window_start_date
            )
    group by purchases.customer_id

),

current_totals as (

    select
        current_date_row.as_of_date,
        customer_totals.customer_id,
        customer_totals.first_purchase_at,
        customer_totals.last_purchase_at,
        customer_totals.frequency,
        customer_totals.refunds,
        customer_totals.monetary,
        customer_totals.purchase_amount,
        customer_totals.transaction_rows,
        coalesce(current_period.period_purchases, 0) as period_purchases,
        coalesce(current_period.period_revenue, 0) as period_revenue
    from customer_totals
    cross join current_date_row
    left join current_period
        on customer_totals.customer_id = current_period.customer_id

),

unioned as (

    select * from current_totals
    union all
    select * from backfilled_totals

),

measured as (

    select
        customer_id,
        as_of_date,
        first_purchase_at,
        last_purchase_at,
        cast(
            {{ dbt.datediff('cast(last_purchase_at as date)', 'as_of_date', 'day') }}
            as integer
        ) as recency_days,
        cast(frequency as bigint) as frequency,
        cast(refunds as bigint) as refunds,
        cast(monetary as {{ rfm_money_type() }}) as monetary,
        -- Gross: what an average purchase was worth before refunds; null for a refunds-only customer.
        {{ rfm_money_divide('purchase_amount', 'frequency') }} as avg_order_value,
        cast(
            {{ dbt.datediff('cast(first_purchase_at as date)', 'as_of_date', 'day') }}
            as integer
        ) as tenure_days,
        -- Inter-purchase time: the days from the first purchase to the last, over the gaps between purchases;
        -- null with fewer than two purchases.
        case
            when frequency > 1
                then
                    {{ dbt.datediff('cast(first_purchase_at as date)', 'cast(last_purchase_at as date)', 'day') }}
                    / cast(frequency - 1 as double)
        end as avg_days_between_purchases,
        cast(period_purchases as bigint) as period_purchases,
        cast(period_revenue as {{ rfm_money_type() }}) as period_revenue
    from unioned

)

select * from measured
