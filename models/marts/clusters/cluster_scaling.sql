{#- How each clustering feature (var cluster_features) is scaled (var cluster_scaling), over the customers
    clustered: those with every feature (a refunds-only customer has no recency or average). A value is first
    clipped to the feature's percentiles (var cluster_clip_percentile), then log-scaled (var
    cluster_log_features), then scaled: scaled = (transformed - center) / scale. The parameters are stored
    here, and every cluster model and history date is scaled with them. With var clustering false it is
    empty, and so is every cluster model. -#}
{%- set features = rfm_cluster_features() -%}
{%- set log_features = rfm_cluster_log_features() -%}
{%- set clip_percentile = rfm_cluster_clip_percentile() -%}
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

feature_values as (

    {%- for feature in features %}
        select
            {{ loop.index }} as feature_position,
            '{{ feature }}' as feature,
            {{ 'true' if feature in log_features else 'false' }} as log_scaled,
            cast({{ feature }} as double) as raw_value
        from clustered_customers
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

clip_bounds as (

    -- Interpolated percentiles (numpy's default), in raw units; null without clipping.
    select
        feature_position,
        {%- if clip_percentile is not none %}
            quantile_cont(raw_value, {{ (100 - clip_percentile) / 100 }}) as clip_low,
            quantile_cont(raw_value, {{ clip_percentile / 100 }}) as clip_high
        {%- else %}
            cast(null as double) as clip_low,
            cast(null as double) as clip_high
        {%- endif %}
    from feature_values
    group by feature_position

),

transformed as (

    select
        feature_values.feature_position,
        feature_values.feature,
        feature_values.log_scaled,
        clip_bounds.clip_low,
        clip_bounds.clip_high,
        {{ rfm_cluster_transform(
            'feature_values.raw_value', 'feature_values.log_scaled', 'clip_bounds.clip_low', 'clip_bounds.clip_high'
        ) }} as transformed_value
    from feature_values
    inner join clip_bounds
        on feature_values.feature_position = clip_bounds.feature_position

),

per_feature as (

    select
        feature_position,
        feature,
        log_scaled,
        clip_low,
        clip_high,
        min(transformed_value) as min_value,
        max(transformed_value) as max_value,
        avg(transformed_value) as mean_value,
        stddev_pop(transformed_value) as std_value,
        count(*) as customers
    from transformed
    group by feature_position, feature, log_scaled, clip_low, clip_high

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
