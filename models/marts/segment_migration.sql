{#- The migration matrix: per consecutive pair of history dates, how many customers moved from each segment to
    each other one, and what they spent in the later period. '(new)' and '(gone)' close the books: each
    pair's matrix adds up to the customer counts of both dates. -#}
{%- set segment_scheme = rfm_segment_scheme(ref('rfm_segment_map')) -%}

with

history as (

    select * from {{ ref('customer_rfm_history') }}
    where segment_scheme = {{ rfm_string_literal(segment_scheme) }}

),

history_dates as (

    select distinct as_of_date from history

),

date_pairs as (

    -- Consecutive dates among those stored (backfilled or snapshotted); a date is unique, so the order is too.
    select
        lag(as_of_date) over (order by as_of_date) as from_as_of_date,
        as_of_date as to_as_of_date
    from history_dates

),

from_side as (

    select
        date_pairs.from_as_of_date,
        date_pairs.to_as_of_date,
        history.customer_id,
        history.segment
    from date_pairs
    inner join history
        on date_pairs.from_as_of_date = history.as_of_date

),

to_side as (

    select
        date_pairs.from_as_of_date,
        date_pairs.to_as_of_date,
        history.customer_id,
        history.segment,
        history.period_revenue
    from date_pairs
    inner join history
        on date_pairs.to_as_of_date = history.as_of_date
    where date_pairs.from_as_of_date is not null

),

moves as (

    -- A customer only at the later date is new; one only at the earlier date has fallen out of the window.
    select
        coalesce(from_side.from_as_of_date, to_side.from_as_of_date) as from_as_of_date,
        coalesce(from_side.to_as_of_date, to_side.to_as_of_date) as to_as_of_date,
        coalesce(from_side.segment, '(new)') as from_segment,
        coalesce(to_side.segment, '(gone)') as to_segment,
        coalesce(to_side.period_revenue, 0) as revenue
    from from_side
    full outer join to_side
        on
            from_side.to_as_of_date = to_side.to_as_of_date
            and from_side.customer_id = to_side.customer_id

),

matrix as (

    select
        from_as_of_date,
        to_as_of_date,
        from_segment,
        to_segment,
        count(*) as customers,
        cast(sum(revenue) as {{ rfm_money_type() }}) as revenue
    from moves
    group by from_as_of_date, to_as_of_date, from_segment, to_segment

)

select * from matrix
