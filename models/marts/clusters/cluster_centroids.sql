{#- The studies' centroid table: per cluster and feature, the cluster's size and its centroid in raw units (the
    mean of its customers' measure) and in scaled units (the mean of their points on cluster_scaling's scale:
    the k-means centroid). -#}
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
        list(clip_high order by feature_position) as clip_high,
        list(center order by feature_position) as center,
        list(scale order by feature_position) as scale
    from cluster_scaling

),

clustered as (

    -- Each customer's cluster and raw measures: a join of plain numbers (carrying the scaled points' lists
    -- through a join of millions of customers costs twice as much).
    select
        {%- for feature in features %}
            cast(customers.{{ feature }} as double) as raw_value_{{ loop.index }},
        {%- endfor %}
        customer_clusters.cluster_id
    from customer_clusters
    inner join customers
        on customer_clusters.customer_id = customers.customer_id

),

per_cluster as (

    -- One pass over the customers: every feature's means side by side, one row per cluster. Centering and
    -- scaling are linear, so the mean of the scaled values is the scaled mean of the transformed ones.
    select
        clustered.cluster_id,
        {%- for feature in features %}
            {%- set position = '[' ~ loop.index ~ ']' %}
            avg(clustered.raw_value_{{ loop.index }}) as raw_mean_{{ loop.index }},
            avg({{ rfm_cluster_transform(
                'clustered.raw_value_' ~ loop.index, 'parameters.log_scaled' ~ position,
                'parameters.clip_low' ~ position, 'parameters.clip_high' ~ position
            ) }}) as transformed_mean_{{ loop.index }},
        {%- endfor %}
        count(*) as customers
    from clustered
    cross join parameters
    group by clustered.cluster_id

),

centroids as (

    -- A row per cluster and feature.
    {%- for feature in features %}
        select
            per_cluster.cluster_id,
            {{ loop.index }} as feature_position,
            '{{ feature }}' as feature,
            per_cluster.customers,
            per_cluster.raw_mean_{{ loop.index }} as centroid_raw,
            (per_cluster.transformed_mean_{{ loop.index }} - parameters.center[{{ loop.index }}])
            / parameters.scale[{{ loop.index }}] as centroid_scaled
        from per_cluster
        cross join parameters
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

)

select * from centroids
