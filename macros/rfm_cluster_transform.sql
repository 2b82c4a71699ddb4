{#- A cluster feature's raw value as the clusters measure it before centering and scaling: clipped to
    [clip_low, clip_high] (null bounds: not clipped), then sign(x) * ln(1 + |x|) when log_scaled (defined for
    negative values too, and 0 stays 0). One expression, so cluster_scaling (which fits the scale on it) and
    the scaled points (which apply it) cannot drift apart. -#}
{% macro rfm_cluster_transform(value, log_scaled, clip_low, clip_high) -%}
    {%- set clipped -%}
        least(greatest({{ value }}, coalesce({{ clip_low }}, {{ value }})), coalesce({{ clip_high }}, {{ value }}))
    {%- endset -%}
    case when {{ log_scaled }} then sign({{ clipped }}) * ln(1 + abs({{ clipped }})) else {{ clipped }} end
{%- endmacro %}
