{{ config(enabled=target.type == 'duckdb') }}
-- k-means' fixed point: at the current date, every clustered customer's own cluster is its nearest centroid,
-- measured here from the customers' scaled points (int_customer_history_scaled_to_cluster_points) and
-- cluster_centroids, independently of customer_clusters (whose rows customer_clusters_history takes for the
-- current date), unless two centroids are equally near (within a relative 1e-9), at the distance
-- customer_clusters states; and exactly one k is chosen when cluster_k_selection has any (none with var
-- clustering false, or when the tree has no cut: one cluster).

with

customer_clusters as (

    select * from {{ ref('customer_clusters') }}

),

cluster_points as (

    select * from {{ ref('int_customer_history_scaled_to_cluster_points') }}

),

cluster_centroids as (

    select * from {{ ref('cluster_centroids') }}

),

current_points as (

    select
        customer_id,
        scaled_point
    from cluster_points
    where as_of_date = (select max(customer_clusters.as_of_date) from customer_clusters)

),

centroid_list as (

    select list(scaled_point order by cluster_id) as centroids
    from (
        select
            cluster_id,
            list(centroid_scaled order by feature_position) as scaled_point
        from cluster_centroids
        group by cluster_id
    ) as centroid_points

),

distances as (

    select
        current_points.customer_id,
        list_transform(
            centroid_list.centroids,
            lambda centroid: list_distance(current_points.scaled_point, centroid)  -- noqa: RF02
        ) as to_each_centroid
    from current_points
    cross join centroid_list

),

nearest as (

    select
        customer_id,
        list_position(to_each_centroid, list_min(to_each_centroid)) as cluster_id,
        list_min(to_each_centroid) as distance_to_centroid,
        list_sort(to_each_centroid)[2] - list_min(to_each_centroid) as margin_to_second_centroid
    from distances

),

misplaced as (

    -- Both sides: a clustered customer without a point, or a point without a cluster, is misplaced too.
    select
        coalesce(customer_clusters.customer_id, nearest.customer_id) as customer_id,
        customer_clusters.cluster_id,
        customer_clusters.distance_to_centroid,
        nearest.cluster_id as nearest_cluster_id,
        nearest.distance_to_centroid as nearest_distance
    from customer_clusters
    full outer join nearest
        on customer_clusters.customer_id = nearest.customer_id
    where
        customer_clusters.customer_id is null
        or nearest.customer_id is null
        or abs(customer_clusters.distance_to_centroid - nearest.distance_to_centroid)
        > 1e-9 * (1 + nearest.distance_to_centroid)
        or (
            customer_clusters.cluster_id != nearest.cluster_id
            and nearest.margin_to_second_centroid > 1e-9 * (1 + nearest.distance_to_centroid)
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
