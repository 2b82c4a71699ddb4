{#- Every customer of the history (each as-of date, the current one included) as a point on the clusters'
    scale: one row per date, customer and cluster feature, the raw value clipped, log-scaled and scaled with
    the stored parameters (cluster_scaling), so a past date is measured on today's scale. Customers missing a
    feature are left out, as the clustering leaves them out. -#}
{{ config(enabled=target.type == 'duckdb') }}
{%- set features = rfm_cluster_features() -%}
{%- set segment_scheme = rfm_segment_scheme(ref('rfm_segment_map')) -%}

with

history as (

    select * from {{ ref('customer_rfm_history') }}
    -- Snapshots of runs with another scheme hold the same customers again: this run's scheme only.
    where
        segment_scheme = {{ rfm_string_literal(segment_scheme) }}
        and {{ features | join(' is not null and ') }} is not null

),

cluster_scaling as (

    select * from {{ ref('cluster_scaling') }}

),

raw_values as (

    {%- for feature in features %}
        select
            as_of_date,
            customer_id,
            '{{ feature }}' as feature,
            cast({{ feature }} as double) as raw_value
        from history
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

scaled as (

    select
        raw_values.as_of_date,
        raw_values.customer_id,
        cluster_scaling.feature_position,
        raw_values.feature,
        raw_values.raw_value,
        (
            {{ rfm_cluster_transform(
                'raw_values.raw_value', 'cluster_scaling.log_scaled', 'cluster_scaling.clip_low',
                'cluster_scaling.clip_high'
            ) }} - cluster_scaling.center
        ) / cluster_scaling.scale as scaled_value
    from raw_values
    inner join cluster_scaling
        on raw_values.feature = cluster_scaling.feature

)

select * from scaled
