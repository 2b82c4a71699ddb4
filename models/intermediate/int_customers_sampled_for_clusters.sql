{#- The Ward sample: the clustered customers (customer_rfm's, with every cluster feature) in the order of the md5
    of their id, then the id, the first 2,000 of them (rfm_clustering.WARD_SAMPLE: Ward's tree needs memory
    quadratic in it). The same customers whatever order the rows came in, picked once for the three models
    that read it: the tree (cluster_dendrogram), the choice of k (cluster_k_selection) and k-means' starting
    centroids (customer_clusters). Empty with var clustering false, as cluster_scaling is. -#}
{{ config(enabled=target.type == 'duckdb') }}
{%- set features = rfm_cluster_features() -%}
{%- set ward_sample = 2000 -%}

with

customers as (

    select * from {{ ref('customer_rfm') }}

),

cluster_scaling as (

    select * from {{ ref('cluster_scaling') }}

),

clustered_customers as (

    -- Var clustering false: cluster_scaling lists no feature, so nobody is sampled.
    select
        customer_id,
        as_of_date,
        [
            {%- for feature in features %}
                cast({{ feature }} as double){{ ',' if not loop.last }}
            {%- endfor %}
        ] as raw_point
    from customers
    where
        {{ features | join(' is not null and ') }} is not null
        and exists (select 1 from cluster_scaling)

),

sampled as (

    -- A top-n: the md5 of every id is computed once, and only the first rows are kept in order.
    select
        customer_id,
        as_of_date,
        raw_point,
        md5(customer_id) as id_hash
    from clustered_customers
    order by id_hash, customer_id
    limit {{ ward_sample }}

),

numbered as (

    select
        row_number() over (order by id_hash, customer_id) as ward_position,
        customer_id,
        as_of_date,
        raw_point
    from sampled

)

select * from numbered
