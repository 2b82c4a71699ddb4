{#- The studies' centroid table: per cluster and feature, the cluster's size and its centroid in raw units (the
    mean of its customers' measure) and in scaled units (the mean of their points on cluster_scaling's scale:
    the k-means centroid). -#}

with

customer_clusters as (

    select * from {{ ref('customer_clusters') }}

),

cluster_points as (

    select * from {{ ref('int_customer_history_scaled_to_cluster_points') }}

),

centroids as (

    select
        customer_clusters.cluster_id,
        cluster_points.feature_position,
        cluster_points.feature,
        count(*) as customers,
        avg(cluster_points.raw_value) as centroid_raw,
        avg(cluster_points.scaled_value) as centroid_scaled
    from customer_clusters
    inner join cluster_points
        on
            customer_clusters.as_of_date = cluster_points.as_of_date
            and customer_clusters.customer_id = cluster_points.customer_id
    group by customer_clusters.cluster_id, cluster_points.feature_position, cluster_points.feature

)

select * from centroids
