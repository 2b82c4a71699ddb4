{#- One pass over the clustered customers (customer_clusters with their customer_rfm measures) for the
    per-cluster marts: per cluster its size, the mean of each cluster feature in raw units and after clipping
    and log-scaling (cluster_centroids centers and scales it: the k-means centroid), and the mean recency,
    frequency and monetary (cluster_profiles), with the same three means over every clustered customer beside
    them. One join of millions of customers instead of one per mart. -#}
{{ config(enabled=target.type == 'duckdb') }}
{%- set features = rfm_cluster_features() -%}

with

customer_clusters as (

    select * from {{ ref('customer_clusters') }}

),

customers as (

    select * from {{ ref('customer_rfm') }}

),

cluster_scaling as (

    select * from {{ ref('cluster_scaling') }}

),

parameters as (

    -- One row, each parameter a list in feature order.
    select
        list(log_scaled order by feature_position) as log_scaled,
        list(clip_low order by feature_position) as clip_low,
        list(clip_high order by feature_position) as clip_high
    from cluster_scaling

),

clustered as (

    -- Each customer's cluster and measures: a join of plain numbers (carrying lists through a join of
    -- millions of customers costs twice as much).
    select
        {%- for feature in features %}
            cast(customers.{{ feature }} as double) as raw_value_{{ loop.index }},
        {%- endfor %}
        cast(customers.recency_days as double) as recency_days,
        cast(customers.frequency as double) as frequency,
        cast(customers.monetary as double) as monetary,
        customer_clusters.cluster_id
    from customer_clusters
    inner join customers
        on customer_clusters.customer_id = customers.customer_id

),

per_cluster as (

    select
        clustered.cluster_id,
        count(*) as customers,
        -- Totals, so that the mean over everyone below is the same division (one cluster: the same number).
        sum(clustered.recency_days) as recency_days_total,
        sum(clustered.frequency) as frequency_total,
        sum(clustered.monetary) as monetary_total,
        [
            {%- for feature in features %}
                avg(clustered.raw_value_{{ loop.index }}){{ ',' if not loop.last }}
            {%- endfor %}
        ] as raw_means,
        [
            {%- for feature in features %}
                {%- set position = '[' ~ loop.index ~ ']' %}
                avg({{ rfm_cluster_transform(
                    'clustered.raw_value_' ~ loop.index, 'parameters.log_scaled' ~ position,
                    'parameters.clip_low' ~ position, 'parameters.clip_high' ~ position
                ) }}){{ ',' if not loop.last }}
            {%- endfor %}
        ] as transformed_means
    from clustered
    cross join parameters
    group by clustered.cluster_id

),

everyone as (

    select
        sum(recency_days_total) / sum(customers) as mean_recency_days,
        sum(frequency_total) / sum(customers) as mean_frequency,
        sum(monetary_total) / sum(customers) as mean_monetary
    from per_cluster

),

compared as (

    select
        per_cluster.cluster_id,
        per_cluster.customers,
        per_cluster.raw_means,
        per_cluster.transformed_means,
        per_cluster.recency_days_total / per_cluster.customers as mean_recency_days,
        per_cluster.frequency_total / per_cluster.customers as mean_frequency,
        per_cluster.monetary_total / per_cluster.customers as mean_monetary,
        everyone.mean_recency_days as overall_mean_recency_days,
        everyone.mean_frequency as overall_mean_frequency,
        everyone.mean_monetary as overall_mean_monetary
    from per_cluster
    cross join everyone

)

select * from compared
