{#- Strategy evaluation: per history date and segment, and for all customers ('(all)') beside them, how big
    the segment is, what it spent in the period, how many are repeat buyers, and what happened next: the
    share still buying in the next period and the shares moving up, staying, or moving down (or out) in the
    segment ranking (rfm_segment_definitions.priority, 1 = most valuable). -#}
{%- set segment_scheme = rfm_segment_scheme(ref('rfm_segment_map')) -%}

with

history as (

    select * from {{ ref('customer_rfm_history') }}
    where segment_scheme = {{ rfm_string_literal(segment_scheme) }}

),

history_dates as (

    select distinct as_of_date from history

),

next_dates as (

    select
        as_of_date,
        lead(as_of_date) over (order by as_of_date) as next_as_of_date
    from history_dates

),

with_next as (

    -- Each customer beside their own row at the next date (none when they fell out of the window).
    select
        history.as_of_date,
        history.customer_id,
        history.segment,
        history.segment_priority,
        history.frequency,
        history.period_revenue,
        next_dates.next_as_of_date,
        later.segment as next_segment,
        later.segment_priority as next_segment_priority,
        coalesce(later.period_purchases, 0) as next_period_purchases
    from history
    inner join next_dates
        on history.as_of_date = next_dates.as_of_date
    left join history as later
        on
            next_dates.next_as_of_date = later.as_of_date
            and history.customer_id = later.customer_id

),

flagged as (

    select
        *,
        -- Two or more purchases (purchase days with var frequency_unit day).
        case when frequency >= 2 then 1 else 0 end as is_repeat_buyer,
        case when next_period_purchases > 0 then 1 else 0 end as is_retained,
        case when next_segment_priority < segment_priority then 1 else 0 end as moved_up,
        case when next_segment = segment then 1 else 0 end as stayed,
        case when next_segment is null or next_segment_priority > segment_priority then 1 else 0 end as moved_down
    from with_next

),

grouped as (

    -- Each segment, and every customer at once ('(all)'): rollup adds the per-date total to the per-segment rows.
    select
        as_of_date,
        case when grouping(segment) = 1 then '(all)' else segment end as segment,
        case when grouping(segment) = 0 then min(segment_priority) end as segment_priority,
        max(next_as_of_date) as next_as_of_date,
        count(*) as customers,
        sum(period_revenue) as revenue,
        sum(is_repeat_buyer) as repeat_buyers,
        sum(is_retained) as retained,
        sum(moved_up) as moved_up,
        sum(stayed) as stayed,
        sum(moved_down) as moved_down
    from flagged
    group by as_of_date, rollup(segment)

),

final as (

    -- Shares of what happens next are null at the latest date: there is no next period yet.
    select
        as_of_date,
        segment,
        cast(segment_priority as integer) as segment_priority,
        customers,
        cast(revenue as {{ rfm_money_type() }}) as revenue,
        cast(revenue as double) / customers as revenue_per_customer,
        cast(repeat_buyers as double) / customers as repeat_purchase_rate,
        case when next_as_of_date is not null then cast(retained as double) / customers end
            as retained_next_period,
        case when next_as_of_date is not null then cast(moved_up as double) / customers end as moved_up_share,
        case when next_as_of_date is not null then cast(stayed as double) / customers end as stayed_share,
        case when next_as_of_date is not null then cast(moved_down as double) / customers end
            as moved_down_share
    from grouped

)

select * from final
