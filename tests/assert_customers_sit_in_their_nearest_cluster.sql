{{ config(enabled=target.type == 'duckdb') }}
-- k-means' fixed point: every clustered customer's own centroid (cluster_centroids, scaled) is its nearest,
-- at the distance customer_clusters states (within a relative 1e-9), and exactly one k is chosen when
-- cluster_k_selection has any (none with var clustering false, or when the tree has no cut: one cluster).
{%- set features = rfm_cluster_features() %}

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

cluster_centroids as (

    select * from {{ ref('cluster_centroids') }}

),

customer_points as (

    {%- for feature in features %}
        select
            customer_clusters.customer_id,
            '{{ feature }}' as feature,
            (cast(customers.{{ feature }} as double) - cluster_scaling.center) / cluster_scaling.scale as scaled_value
        from customer_clusters
        inner join customers
            on customer_clusters.customer_id = customers.customer_id
        inner join cluster_scaling
            on cluster_scaling.feature = '{{ feature }}'
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

to_each_centroid as (

    select
        customer_points.customer_id,
        cluster_centroids.cluster_id,
        sqrt(sum(power(customer_points.scaled_value - cluster_centroids.centroid_scaled, 2))) as distance
    from customer_points
    inner join cluster_centroids
        on customer_points.feature = cluster_centroids.feature
    group by customer_points.customer_id, cluster_centroids.cluster_id

),

nearest as (

    select
        customer_id,
        min(distance) as nearest_distance
    from to_each_centroid
    group by customer_id

),

misplaced as (

    select
        customer_clusters.customer_id,
        customer_clusters.cluster_id,
        customer_clusters.distance_to_centroid,
        own.distance as own_distance,
        nearest.nearest_distance
    from customer_clusters
    inner join to_each_centroid as own
        on
            customer_clusters.customer_id = own.customer_id
            and customer_clusters.cluster_id = own.cluster_id
    inner join nearest
        on customer_clusters.customer_id = nearest.customer_id
    where
        own.distance > nearest.nearest_distance + 1e-9 * (1 + nearest.nearest_distance)
        or abs(own.distance - customer_clusters.distance_to_centroid) > 1e-9 * (1 + own.distance)

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
        own_distance,
        nearest_distance
    from misplaced
    union all
    select
        '(k chosen ' || cast(chosen_k as varchar) || ' times)' as customer_id,
        cast(null as integer) as cluster_id,
        cast(null as double) as distance_to_centroid,
        cast(null as double) as own_distance,
        cast(null as double) as nearest_distance
    from chosen
    where chosen_k != case when candidate_k > 0 then 1 else 0 end

)

select * from validation_errors
