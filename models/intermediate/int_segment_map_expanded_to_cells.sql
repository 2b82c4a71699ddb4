{#- The seed's score ranges expanded to one row per (scheme, bins per dimension, R, F, M) cell, so that
    customers join on equality and a test can prove every scheme covers every cell exactly once. -#}

with

segment_map as (

    select * from {{ ref('rfm_segment_map') }}

),

score_levels as (

    {{ rfm_score_levels(rfm_max_bins()) | indent(4) }}

),

expanded as (

    select
        segment_map.segment_scheme,
        segment_map.r_bins,
        segment_map.f_bins,
        segment_map.m_bins,
        r_levels.score as r_score,
        f_levels.score as f_score,
        m_levels.score as m_score,
        segment_map.segment
    from segment_map
    inner join score_levels as r_levels
        on r_levels.score between segment_map.r_score_min and segment_map.r_score_max
    inner join score_levels as f_levels
        on f_levels.score between segment_map.f_score_min and segment_map.f_score_max
    inner join score_levels as m_levels
        on m_levels.score between segment_map.m_score_min and segment_map.m_score_max

)

select * from expanded
