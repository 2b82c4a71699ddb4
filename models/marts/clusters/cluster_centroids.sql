{#- The studies' centroid table: per cluster and feature, the cluster's size and its centroid in raw units (the
    mean of its customers' measure) and in scaled units (the mean of their points on cluster_scaling's scale:
    the k-means centroid). -#}
{%- set features = rfm_cluster_features() -%}

with

customer_clusters as (

    select * from {{ ref('customer_clusters') }}

),

cluster_points as (

    select * from {{ ref('int_customer_history_scaled_to_cluster_points') }}

),

per_cluster as (

    -- One pass over the customers: every feature's means side by side, one row per cluster.
    select
        customer_clusters.cluster_id,
        {%- for feature in features %}
            avg(cluster_points.raw_point[{{ loop.index }}]) as raw_mean_{{ loop.index }},
            avg(cluster_points.scaled_point[{{ loop.index }}]) as scaled_mean_{{ loop.index }},
        {%- endfor %}
        count(*) as customers
    from customer_clusters
    inner join cluster_points
        on
            customer_clusters.as_of_date = cluster_points.as_of_date
            and customer_clusters.customer_id = cluster_points.customer_id
    group by customer_clusters.cluster_id

),

centroids as (

    -- A row per cluster and feature.
    {%- for feature in features %}
        select
            cluster_id,
            {{ loop.index }} as feature_position,
            '{{ feature }}' as feature,
            customers,
            raw_mean_{{ loop.index }} as centroid_raw,
            scaled_mean_{{ loop.index }} as centroid_scaled
        from per_cluster
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

)

select * from centroids
