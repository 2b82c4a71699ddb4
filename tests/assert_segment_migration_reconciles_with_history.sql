-- Every pair's matrix adds up to both dates: per segment, the customers leaving it (every to_segment) are its
-- customers at the earlier date, and those arriving in it are its customers at the later date.
{%- set segment_scheme = rfm_segment_scheme(ref('rfm_segment_map')) %}
with

migration as (

    select * from {{ ref('segment_migration') }}

),

history as (

    select * from {{ ref('customer_rfm_history') }}
    where segment_scheme = '{{ segment_scheme }}'

),

segment_counts as (

    select
        as_of_date,
        segment,
        count(*) as customers
    from history
    group by as_of_date, segment

),

leaving as (

    select
        from_as_of_date as as_of_date,
        from_segment as segment,
        sum(customers) as customers
    from migration
    where from_segment != '(new)'
    group by from_as_of_date, from_segment

),

arriving as (

    select
        to_as_of_date as as_of_date,
        to_segment as segment,
        sum(customers) as customers
    from migration
    where to_segment != '(gone)'
    group by to_as_of_date, to_segment

),

pair_dates as (

    select distinct
        from_as_of_date,
        to_as_of_date
    from migration

),

expected_leaving as (

    select segment_counts.*
    from segment_counts
    inner join pair_dates on segment_counts.as_of_date = pair_dates.from_as_of_date

),

expected_arriving as (

    select segment_counts.*
    from segment_counts
    inner join pair_dates on segment_counts.as_of_date = pair_dates.to_as_of_date

),

mismatches as (

    select
        'leaving' as side,
        coalesce(expected_leaving.as_of_date, leaving.as_of_date) as as_of_date,
        coalesce(expected_leaving.segment, leaving.segment) as segment,
        expected_leaving.customers as history_customers,
        leaving.customers as migration_customers
    from expected_leaving
    full outer join leaving
        on
            expected_leaving.as_of_date = leaving.as_of_date
            and expected_leaving.segment = leaving.segment
    where expected_leaving.customers is distinct from leaving.customers

    union all

    select
        'arriving' as side,
        coalesce(expected_arriving.as_of_date, arriving.as_of_date) as as_of_date,
        coalesce(expected_arriving.segment, arriving.segment) as segment,
        expected_arriving.customers as history_customers,
        arriving.customers as migration_customers
    from expected_arriving
    full outer join arriving
        on
            expected_arriving.as_of_date = arriving.as_of_date
            and expected_arriving.segment = arriving.segment
    where expected_arriving.customers is distinct from arriving.customers

)

select * from mismatches
