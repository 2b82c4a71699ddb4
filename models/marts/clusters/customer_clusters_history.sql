{#- Clusters over time: every customer of the history, at each as-of date, in the cluster of today's nearest
    centroid (cluster_centroids), measured on today's stored scale, so clusters keep one meaning across dates
    and a customer's move between them is a change in the customer, not in the clusters. At the current date
    this is customer_clusters' answer (k-means has settled: every customer sits in its nearest cluster;
    tested). Ties in distance go to the lower cluster_id. -#}
{%- set segment_scheme = rfm_segment_scheme(ref('rfm_segment_map')) -%}

with

cluster_points as (

    select * from {{ ref('int_customer_history_scaled_to_cluster_points') }}

),

cluster_centroids as (

    select * from {{ ref('cluster_centroids') }}

),

history as (

    select * from {{ ref('customer_rfm_history') }}
    where segment_scheme = {{ rfm_string_literal(segment_scheme) }}

),

customer_points as (

    -- One row per date and customer, the point as a list in feature order: k distances per customer.
    select
        as_of_date,
        customer_id,
        list(scaled_value order by feature_position) as scaled_point
    from cluster_points
    group by as_of_date, customer_id

),

centroid_points as (

    select
        cluster_id,
        list(centroid_scaled order by feature_position) as scaled_point
    from cluster_centroids
    group by cluster_id

),

centroid_list as (

    -- Every centroid in cluster_id order: ids are 1..k, so a centroid's place in the list is its id.
    select list(scaled_point order by cluster_id) as centroids
    from centroid_points

),

to_each_centroid as (

    -- Per customer, the list of its Euclidean distances to the k centroids (DuckDB's list functions: the
    -- cluster models run on DuckDB only), computed row by row, without a customers x centroids join.
    select
        customer_points.as_of_date,
        customer_points.customer_id,
        list_transform(
            centroid_list.centroids,
            lambda centroid: list_distance(customer_points.scaled_point, centroid)  -- noqa: RF02
        ) as distances
    from customer_points
    cross join centroid_list

),

nearest as (

    -- The first smallest distance: ties go to the lower cluster_id. One cluster: no second distance, null.
    select
        as_of_date,
        customer_id,
        list_position(distances, list_min(distances)) as cluster_id,
        list_min(distances) as distance_to_centroid,
        list_sort(distances)[2] - list_min(distances) as margin_to_second_centroid
    from to_each_centroid

),

final as (

    select
        nearest.as_of_date,
        nearest.customer_id,
        cast(nearest.cluster_id as integer) as cluster_id,
        nearest.distance_to_centroid,
        nearest.margin_to_second_centroid,
        history.period_revenue
    from nearest
    inner join history
        on
            nearest.as_of_date = history.as_of_date
            and nearest.customer_id = history.customer_id

)

select * from final
