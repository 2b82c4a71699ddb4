{#- Clusters over time: every customer of the history, at each as-of date, in the cluster of today's nearest
    centroid (cluster_centroids), measured on today's stored scale, so clusters keep one meaning across dates
    and a customer's move between them is a change in the customer, not in the clusters. The current date is
    customer_clusters' own rows: k-means has settled there, so every customer already sits in its nearest
    cluster (tests/assert_customers_sit_in_their_nearest_cluster.sql measures it independently); only the
    earlier dates are measured here, where ties in distance go to the lower cluster_id. -#}
{%- set segment_scheme = rfm_segment_scheme(ref('rfm_segment_map')) -%}

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

history as (

    select * from {{ ref('customer_rfm_history') }}
    where segment_scheme = {{ rfm_string_literal(segment_scheme) }}

),

earlier_points as (

    -- Every date but customer_clusters' one (a scalar, so DuckDB filters the history as it reads it).
    select
        as_of_date,
        customer_id,
        scaled_point
    from cluster_points
    where as_of_date != (select max(customer_clusters.as_of_date) from customer_clusters)

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
        earlier_points.as_of_date,
        earlier_points.customer_id,
        list_transform(
            centroid_list.centroids,
            lambda centroid: list_distance(earlier_points.scaled_point, centroid)  -- noqa: RF02
        ) as distances
    from earlier_points
    cross join centroid_list

),

nearest as (

    -- The first smallest distance: ties go to the lower cluster_id. One cluster: no second distance, null.
    select
        as_of_date,
        customer_id,
        cast(list_position(distances, list_min(distances)) as integer) as cluster_id,
        list_min(distances) as distance_to_centroid,
        list_sort(distances)[2] - list_min(distances) as margin_to_second_centroid
    from to_each_centroid

),

every_date as (

    -- Each date's clustered customers with the period's revenue: the current date's clusters are
    -- customer_clusters' rows, the earlier dates' the nearest centroids above (the two never share a date).
    -- Two left joins of plain numbers, not a union of two joins: DuckDB keeps a union's rows in order, which
    -- costs more than both joins at millions of customers.
    select
        history.as_of_date,
        history.customer_id,
        coalesce(customer_clusters.cluster_id, nearest.cluster_id) as cluster_id,
        coalesce(customer_clusters.distance_to_centroid, nearest.distance_to_centroid) as distance_to_centroid,
        coalesce(customer_clusters.margin_to_second_centroid, nearest.margin_to_second_centroid)
            as margin_to_second_centroid,
        history.period_revenue
    from history
    left join customer_clusters
        on
            history.as_of_date = customer_clusters.as_of_date
            and history.customer_id = customer_clusters.customer_id
    left join nearest
        on
            history.as_of_date = nearest.as_of_date
            and history.customer_id = nearest.customer_id
    where customer_clusters.customer_id is not null or nearest.customer_id is not null

)

select * from every_date
