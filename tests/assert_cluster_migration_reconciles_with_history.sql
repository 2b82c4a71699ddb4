{{ config(enabled=target.type == 'duckdb') }}
-- Every pair's matrix adds up to both dates: per cluster, the customers leaving it (to any cluster, or gone)
-- are its customers at the earlier date, and those arriving in it are its customers at the later date.

with

migration as (

    select * from {{ ref('cluster_migration') }}

),

clusters_history as (

    select * from {{ ref('customer_clusters_history') }}

),

history_counts as (

    select
        as_of_date,
        cluster_id,
        count(*) as customers,
        as_of_date = min(as_of_date) over () as is_first_date,
        as_of_date = max(as_of_date) over () as is_last_date
    from clusters_history
    group by as_of_date, cluster_id

),

expected as (

    -- Every date but the last is a pair's earlier date; every date but the first a pair's later one.
    select
        'leaving' as side,
        as_of_date,
        cluster_id,
        customers
    from history_counts
    where not is_last_date
    union all
    select
        'arriving' as side,
        as_of_date,
        cluster_id,
        customers
    from history_counts
    where not is_first_date

),

migration_counts as (

    select
        'leaving' as side,
        from_as_of_date as as_of_date,
        from_cluster_id as cluster_id,
        sum(customers) as customers
    from migration
    where from_cluster_id is not null
    group by from_as_of_date, from_cluster_id
    union all
    select
        'arriving' as side,
        to_as_of_date as as_of_date,
        to_cluster_id as cluster_id,
        sum(customers) as customers
    from migration
    where to_cluster_id is not null
    group by to_as_of_date, to_cluster_id

),

validation_errors as (

    select
        coalesce(expected.side, migration_counts.side) as side,
        coalesce(expected.as_of_date, migration_counts.as_of_date) as as_of_date,
        coalesce(expected.cluster_id, migration_counts.cluster_id) as cluster_id,
        expected.customers as history_customers,
        migration_counts.customers as migration_customers
    from expected
    full outer join migration_counts
        on
            expected.side = migration_counts.side
            and expected.as_of_date = migration_counts.as_of_date
            and expected.cluster_id = migration_counts.cluster_id
    where expected.customers is distinct from migration_counts.customers

)

select * from validation_errors
