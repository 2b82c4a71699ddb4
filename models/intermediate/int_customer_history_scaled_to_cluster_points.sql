{#- Every customer of the history (each as-of date, the current one included) as a point on the clusters'
    scale: one row per date and customer, the raw values and the scaled point as lists in feature order (var
    cluster_features), each value clipped, log-scaled and scaled with the stored parameters (cluster_scaling),
    so a past date is measured on today's scale. A row per customer, not per feature: the cluster models
    measure distances and means on it without grouping millions of customers back into points. Customers
    missing a feature are left out, as the clustering leaves them out. -#}
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

parameters as (

    -- One row, each parameter a list in feature order. No row when cluster_scaling is empty (var clustering
    -- false), so neither are there points.
    select
        list(log_scaled order by feature_position) as log_scaled,
        list(clip_low order by feature_position) as clip_low,
        list(clip_high order by feature_position) as clip_high,
        list(center order by feature_position) as center,
        list(scale order by feature_position) as scale
    from cluster_scaling
    having count(*) > 0

),

raw_points as (

    select
        as_of_date,
        customer_id,
        [
            {%- for feature in features %}
                cast({{ feature }} as double){{ ',' if not loop.last }}
            {%- endfor %}
        ] as raw_point
    from history

),

scaled as (

    select
        raw_points.as_of_date,
        raw_points.customer_id,
        raw_points.raw_point,
        [
            {%- for feature in features %}
                {%- set position = '[' ~ loop.index ~ ']' %}
                (
                    {{ rfm_cluster_transform(
                        'raw_points.raw_point' ~ position, 'parameters.log_scaled' ~ position,
                        'parameters.clip_low' ~ position, 'parameters.clip_high' ~ position
                    ) }} - parameters.center{{ position }}
                ) / parameters.scale{{ position }}{{ ',' if not loop.last }}
            {%- endfor %}
        ] as scaled_point
    from raw_points
    cross join parameters

)

select * from scaled
