{#- The studies' centroid table: per cluster and feature, the cluster's size and its centroid in raw units (the
    mean of its customers' measure) and in scaled units (on cluster_scaling's scale). -#}
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

per_feature as (

    {%- for feature in features %}
        select
            customer_clusters.cluster_id,
            '{{ feature }}' as feature,
            count(*) as customers,
            avg(cast(customers.{{ feature }} as double)) as centroid_raw
        from customer_clusters
        inner join customers
            on customer_clusters.customer_id = customers.customer_id
        group by customer_clusters.cluster_id
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

centroids as (

    select
        per_feature.cluster_id,
        cluster_scaling.feature_position,
        per_feature.feature,
        per_feature.customers,
        per_feature.centroid_raw,
        (per_feature.centroid_raw - cluster_scaling.center) / cluster_scaling.scale as centroid_scaled
    from per_feature
    inner join cluster_scaling
        on per_feature.feature = cluster_scaling.feature

)

select * from centroids
