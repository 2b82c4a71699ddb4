{#- How each clustering feature (var cluster_features) is scaled (var cluster_scaling), over the customers
    clustered: those with every feature (a refunds-only customer has no recency or average). A value is first
    clipped to the feature's percentiles (var cluster_clip_percentile), then log-scaled (var
    cluster_log_features), then scaled: scaled = (transformed - center) / scale. The parameters are stored
    here, and every cluster model and history date is scaled with them. With var clustering false it is
    empty, and so is every cluster model. -#}
{%- set features = rfm_cluster_features() -%}
{%- set log_features = rfm_cluster_log_features() -%}
{%- set clip_percentile = rfm_cluster_clip_percentile() -%}
{%- set low_fraction = (100 - clip_percentile) / 100 if clip_percentile is not none else none -%}
{%- set high_fraction = clip_percentile / 100 if clip_percentile is not none else none -%}
{%- set scaling = rfm_cluster_scaling() -%}
{%- set requested_k = rfm_cluster_k() -%}
{%- set init = rfm_cluster_init() -%}

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

clip_bounds as (

    -- Interpolated percentiles (numpy's default), in raw units, every feature in one pass; null without
    -- clipping, and then no pass over the customers at all.
    select
        {%- for feature in features %}
            {%- if clip_percentile is not none %}
                quantile_cont(cast({{ feature }} as double), {{ low_fraction }}) as clip_low_{{ loop.index }},
                quantile_cont(cast({{ feature }} as double), {{ high_fraction }}) as clip_high_{{ loop.index }},
            {%- else %}
                cast(null as double) as clip_low_{{ loop.index }},
                cast(null as double) as clip_high_{{ loop.index }},
            {%- endif %}
        {%- endfor %}
        {{ clip_percentile if clip_percentile is not none else 'cast(null as double)' }} as clip_percentile
    {%- if clip_percentile is not none %}
        from clustered_customers
    {%- endif %}

),

transformed as (

    select
        {%- for feature in features %}
            {{ rfm_cluster_transform(
                'cast(clustered_customers.' ~ feature ~ ' as double)',
                'true' if feature in log_features else 'false',
                'clip_bounds.clip_low_' ~ loop.index,
                'clip_bounds.clip_high_' ~ loop.index
            ) }} as value_{{ loop.index }},
        {%- endfor %}
        clustered_customers.customer_id
    from clustered_customers
    cross join clip_bounds

),

statistics as (

    -- One pass over the customers: every feature's statistics side by side. No row when nobody is clustered
    -- (var clustering false), so the table is empty.
    select
        {%- for feature in features %}
            min(value_{{ loop.index }}) as min_value_{{ loop.index }},
            max(value_{{ loop.index }}) as max_value_{{ loop.index }},
            avg(value_{{ loop.index }}) as mean_value_{{ loop.index }},
            stddev_pop(value_{{ loop.index }}) as std_value_{{ loop.index }},
        {%- endfor %}
        count(*) as customers
    from transformed
    having count(*) > 0

),

per_feature as (

    -- A row per feature.
    {%- for feature in features %}
        select
            {{ loop.index }} as feature_position,
            '{{ feature }}' as feature,
            {{ 'true' if feature in log_features else 'false' }} as log_scaled,
            clip_bounds.clip_low_{{ loop.index }} as clip_low,
            clip_bounds.clip_high_{{ loop.index }} as clip_high,
            statistics.min_value_{{ loop.index }} as min_value,
            statistics.max_value_{{ loop.index }} as max_value,
            statistics.mean_value_{{ loop.index }} as mean_value,
            statistics.std_value_{{ loop.index }} as std_value,
            statistics.customers
        from statistics
        cross join clip_bounds
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

parameters as (

    -- A constant feature gets scale 1 (every customer scaled to 0).
    select
        feature_position,
        feature,
        '{{ scaling }}' as scaling,
        log_scaled,
        clip_low,
        clip_high,
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
        {{ requested_k if requested_k is not none else 'cast(null as integer)' }} as requested_k,
        '{{ init }}' as cluster_init
    from per_feature

)

select * from parameters
