{{ config(enabled=target.type == 'duckdb') }}
-- k-means' fixed point: at the current date, every clustered customer's own cluster is its nearest centroid
-- (customer_clusters_history measures every customer against cluster_centroids), unless two centroids are
-- equally near (within a relative 1e-9), at the distance customer_clusters states; and exactly one k is chosen
-- when cluster_k_selection has any (none with var clustering false, or when the tree has no cut: one cluster).

with

customer_clusters as (

    select * from {{ ref('customer_clusters') }}

),

clusters_history as (

    select * from {{ ref('customer_clusters_history') }}

),

misplaced as (

    select
        customer_clusters.customer_id,
        customer_clusters.cluster_id,
        customer_clusters.distance_to_centroid,
        clusters_history.cluster_id as nearest_cluster_id,
        clusters_history.distance_to_centroid as nearest_distance
    from customer_clusters
    left join clusters_history
        on
            customer_clusters.as_of_date = clusters_history.as_of_date
            and customer_clusters.customer_id = clusters_history.customer_id
    where
        clusters_history.customer_id is null
        or abs(customer_clusters.distance_to_centroid - clusters_history.distance_to_centroid)
        > 1e-9 * (1 + clusters_history.distance_to_centroid)
        or (
            customer_clusters.cluster_id != clusters_history.cluster_id
            and clusters_history.margin_to_second_centroid > 1e-9 * (1 + clusters_history.distance_to_centroid)
        )

),

chosen as (

    select
        count(case when is_chosen then 1 end) as chosen_k,
        count(*) as candidate_k
    from {{ ref('cluster_k_selection') }}

),

validation_errors as (

    select
        customer_id,
        cluster_id,
        distance_to_centroid,
        nearest_cluster_id,
        nearest_distance
    from misplaced
    union all
    select
        '(k chosen ' || cast(chosen_k as varchar) || ' times)' as customer_id,
        cast(null as integer) as cluster_id,
        cast(null as double) as distance_to_centroid,
        cast(null as integer) as nearest_cluster_id,
        cast(null as double) as nearest_distance
    from chosen
    where chosen_k != case when candidate_k > 0 then 1 else 0 end

)

select * from validation_errors
