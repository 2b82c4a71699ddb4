{#- The studies' centroid table: per cluster and feature, the cluster's size and its centroid in raw units (the
    mean of its customers' measure) and in scaled units (the mean of their points on cluster_scaling's scale:
    the k-means centroid). Centering and scaling are linear, so the mean of the scaled values is the scaled
    mean of the clipped and log-scaled ones. -#}
with

cluster_means as (

    select * from {{ ref('int_customer_clusters_aggregated_to_clusters') }}

),

cluster_scaling as (

    select * from {{ ref('cluster_scaling') }}

),

centroids as (

    -- A row per cluster and feature: a feature's place in the lists is its feature_position.
    select
        cluster_means.cluster_id,
        cluster_scaling.feature_position,
        cluster_scaling.feature,
        cluster_means.customers,
        cluster_means.raw_means[cluster_scaling.feature_position] as centroid_raw,
        (cluster_means.transformed_means[cluster_scaling.feature_position] - cluster_scaling.center)
        / cluster_scaling.scale as centroid_scaled
    from cluster_means
    cross join cluster_scaling

)

select * from centroids
