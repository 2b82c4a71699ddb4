{#- How each clustering feature (var cluster_features) is scaled (var cluster_scaling), over the customers
    clustered: those with every feature (a refunds-only customer has no recency or average). The parameters
    are stored here, and the cluster models read them from here, so every model scales alike. With var
    clustering false it is empty, and so is every cluster model. -#}
{%- set features = rfm_cluster_features() -%}
{%- set scaling = rfm_cluster_scaling() -%}
{%- set requested_k = rfm_cluster_k() -%}

with

customers as (

    select * from {{ ref('customer_rfm') }}

),

clustered_customers as (

    select * from customers
    where
        {{ features | join(' is not null and ') }} is not null
        -- var clustering false: no feature, so every cluster model is empty.
        and {{ 'true' if rfm_clustering() else 'false' }}

),

per_feature as (

    {%- for feature in features %}
        select
            {{ loop.index }} as feature_position,
            '{{ feature }}' as feature,
            cast(min({{ feature }}) as double) as min_value,
            cast(max({{ feature }}) as double) as max_value,
            avg(cast({{ feature }} as double)) as mean_value,
            stddev_pop(cast({{ feature }} as double)) as std_value,
            count(*) as customers
        from clustered_customers
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

parameters as (

    -- scaled = (raw - center) / scale; a constant feature gets scale 1 (every customer scaled to 0).
    select
        feature_position,
        feature,
        '{{ scaling }}' as scaling,
        {%- if scaling == 'minmax' %}
            min_value as center,
            case when max_value > min_value then max_value - min_value else 1 end as scale,
        {%- else %}
            mean_value as center,
            case when std_value > 0 then std_value else 1 end as scale,
        {%- endif %}
        min_value,
        max_value,
        mean_value,
        std_value,
        customers,
        {{ requested_k if requested_k is not none else 'cast(null as integer)' }} as requested_k
    from per_feature
    -- Nobody to cluster (var clustering false): no row.
    where customers > 0

)

select * from parameters
