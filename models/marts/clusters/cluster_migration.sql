{#- The clusters' migration matrix, as segment_migration is the segments': per consecutive pair of history
    dates, how many customers moved from each cluster to each other one (customer_clusters_history: today's
    centroids at every date), and what they spent in the later period. A null from_cluster_id is a customer
    new at the later date, a null to_cluster_id one gone from it: each pair's matrix adds up to the clustered
    customers of both dates. -#}

with

clusters_history as (

    select * from {{ ref('customer_clusters_history') }}

),

history_dates as (

    select distinct as_of_date from clusters_history

),

date_pairs as (

    -- Consecutive dates; a date is unique, so the order is too.
    select
        lag(as_of_date) over (order by as_of_date) as from_as_of_date,
        as_of_date as to_as_of_date
    from history_dates

),

from_side as (

    select
        date_pairs.from_as_of_date,
        date_pairs.to_as_of_date,
        clusters_history.customer_id,
        clusters_history.cluster_id
    from date_pairs
    inner join clusters_history
        on date_pairs.from_as_of_date = clusters_history.as_of_date

),

to_side as (

    select
        date_pairs.from_as_of_date,
        date_pairs.to_as_of_date,
        clusters_history.customer_id,
        clusters_history.cluster_id,
        clusters_history.period_revenue
    from date_pairs
    inner join clusters_history
        on date_pairs.to_as_of_date = clusters_history.as_of_date
    where date_pairs.from_as_of_date is not null

),

moves as (

    select
        coalesce(from_side.from_as_of_date, to_side.from_as_of_date) as from_as_of_date,
        coalesce(from_side.to_as_of_date, to_side.to_as_of_date) as to_as_of_date,
        from_side.cluster_id as from_cluster_id,
        to_side.cluster_id as to_cluster_id,
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
        from_cluster_id,
        to_cluster_id,
        count(*) as customers,
        cast(sum(revenue) as {{ rfm_money_type() }}) as revenue
    from moves
    group by from_as_of_date, to_as_of_date, from_cluster_id, to_cluster_id

)

select * from matrix
