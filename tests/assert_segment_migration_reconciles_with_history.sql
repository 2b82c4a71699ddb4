-- Every pair's matrix adds up to both dates: per segment, the customers leaving it (every to_segment) are its
-- customers at the earlier date, and those arriving in it are its customers at the later date.
{%- set segment_scheme = rfm_segment_scheme(ref('rfm_segment_map')) %}
with

migration as (

    select * from {{ ref('segment_migration') }}

),

history as (

    select * from {{ ref('customer_rfm_history') }}
    where segment_scheme = {{ rfm_string_literal(segment_scheme) }}

),

segment_counts as (

    select
        as_of_date,
        segment,
        count(*) as customers
    from history
    group by as_of_date, segment

),

migration_counts as (

    -- The earlier date's side of each pair ('leaving') and the later date's ('arriving').
    select
        'leaving' as side,
        from_as_of_date as as_of_date,
        from_segment as segment,
        sum(customers) as customers
    from migration
    where from_segment != '(new)'
    group by from_as_of_date, from_segment

    union all

    select
        'arriving' as side,
        to_as_of_date as as_of_date,
        to_segment as segment,
        sum(customers) as customers
    from migration
    where to_segment != '(gone)'
    group by to_as_of_date, to_segment

),

sides as (

    select distinct
        'leaving' as side,
        from_as_of_date as as_of_date
    from migration

    union all

    select distinct
        'arriving' as side,
        to_as_of_date as as_of_date
    from migration

),

expected as (

    select
        sides.side,
        segment_counts.as_of_date,
        segment_counts.segment,
        segment_counts.customers
    from sides
    inner join segment_counts on sides.as_of_date = segment_counts.as_of_date

),

mismatches as (

    select
        coalesce(expected.side, migration_counts.side) as side,
        coalesce(expected.as_of_date, migration_counts.as_of_date) as as_of_date,
        coalesce(expected.segment, migration_counts.segment) as segment,
        expected.customers as history_customers,
        migration_counts.customers as migration_customers
    from expected
    full outer join migration_counts
        on
            expected.side = migration_counts.side
            and expected.as_of_date = migration_counts.as_of_date
            and expected.segment = migration_counts.segment
    where expected.customers is distinct from migration_counts.customers

)

select * from mismatches
