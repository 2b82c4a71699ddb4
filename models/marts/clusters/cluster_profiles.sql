{#- Each cluster named as a business type, as the first source study names its five: the cluster's mean
    recency, frequency and monetary against the mean over every clustered customer (high = more recent, more
    purchases, more money than that mean), and seeds/rfm_cluster_types.csv's type and strategy for that
    profile. Whatever features were clustered on, the profile reads R, F and M. -#}
with

cluster_means as (

    select * from {{ ref('int_customer_clusters_aggregated_to_clusters') }}

),

cluster_types as (

    select * from {{ ref('rfm_cluster_types') }}

),

profiled as (

    -- Equal to the overall mean is low, as value_code's mean cut has it.
    select
        cluster_id,
        customers,
        mean_recency_days,
        mean_frequency,
        mean_monetary,
        case when mean_recency_days < overall_mean_recency_days then 'high' else 'low' end as recency_level,
        case when mean_frequency > overall_mean_frequency then 'high' else 'low' end as frequency_level,
        case when mean_monetary > overall_mean_monetary then 'high' else 'low' end as monetary_level
    from cluster_means

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
