{#- Each cluster named as a business type, as the first source study names its five: the cluster's mean
    recency, frequency and monetary against the mean over every clustered customer (high = more recent, more
    purchases, more money than that mean), and seeds/rfm_cluster_types.csv's type and strategy for that
    profile. Whatever features were clustered on, the profile reads R, F and M. -#}
with

customer_clusters as (

    select * from {{ ref('customer_clusters') }}

),

customers as (

    select * from {{ ref('customer_rfm') }}

),

cluster_types as (

    select * from {{ ref('rfm_cluster_types') }}

),

clustered as (

    select
        customer_clusters.cluster_id,
        customers.recency_days,
        customers.frequency,
        customers.monetary
    from customer_clusters
    inner join customers
        on customer_clusters.customer_id = customers.customer_id

),

per_cluster as (

    select
        cluster_id,
        count(*) as customers,
        avg(cast(recency_days as double)) as mean_recency_days,
        avg(cast(frequency as double)) as mean_frequency,
        avg(cast(monetary as double)) as mean_monetary
    from clustered
    group by cluster_id

),

overall as (

    select
        avg(cast(recency_days as double)) as mean_recency_days,
        avg(cast(frequency as double)) as mean_frequency,
        avg(cast(monetary as double)) as mean_monetary
    from clustered

),

profiled as (

    -- Equal to the overall mean is low, as value_code's mean cut has it.
    select
        per_cluster.cluster_id,
        per_cluster.customers,
        per_cluster.mean_recency_days,
        per_cluster.mean_frequency,
        per_cluster.mean_monetary,
        case when per_cluster.mean_recency_days < overall.mean_recency_days then 'high' else 'low' end
            as recency_level,
        case when per_cluster.mean_frequency > overall.mean_frequency then 'high' else 'low' end as frequency_level,
        case when per_cluster.mean_monetary > overall.mean_monetary then 'high' else 'low' end as monetary_level
    from per_cluster
    cross join overall

),

named as (

    select
        profiled.cluster_id,
        profiled.customers,
        profiled.mean_recency_days,
        profiled.mean_frequency,
        profiled.mean_monetary,
        profiled.recency_level,
        profiled.frequency_level,
        profiled.monetary_level,
        cluster_types.cluster_type,
        cluster_types.type_priority,
        cluster_types.cluster_strategy
    from profiled
    left join cluster_types
        on
            profiled.recency_level = cluster_types.recency_level
            and profiled.frequency_level = cluster_types.frequency_level
            and profiled.monetary_level = cluster_types.monetary_level

)

select * from named
