-- Every scheme in seeds/rfm_segment_map.csv maps each R-F-M cell of 1..its bins (per dimension) to exactly one segment,
-- and no map row reaches past its own bins.
with

segment_map as (

    select * from {{ ref('rfm_segment_map') }}

),

cells as (

    select * from {{ ref('int_segment_map_expanded_to_cells') }}

),

score_levels as (

    {{ rfm_score_levels(rfm_max_bins()) | indent(4) }}

),

maps as (

    select distinct
        segment_scheme,
        r_bins,
        f_bins,
        m_bins
    from segment_map

),

expected_cells as (

    select
        maps.segment_scheme,
        maps.r_bins,
        maps.f_bins,
        maps.m_bins,
        r_levels.score as r_score,
        f_levels.score as f_score,
        m_levels.score as m_score
    from maps
    inner join score_levels as r_levels on maps.r_bins >= r_levels.score
    inner join score_levels as f_levels on maps.f_bins >= f_levels.score
    inner join score_levels as m_levels on maps.m_bins >= m_levels.score

),

coverage as (

    select
        expected_cells.segment_scheme,
        expected_cells.r_bins,
        expected_cells.f_bins,
        expected_cells.m_bins,
        expected_cells.r_score,
        expected_cells.f_score,
        expected_cells.m_score,
        count(cells.segment) as segments
    from expected_cells
    left join cells
        on
            expected_cells.segment_scheme = cells.segment_scheme
            and expected_cells.r_bins = cells.r_bins
            and expected_cells.f_bins = cells.f_bins
            and expected_cells.m_bins = cells.m_bins
            and expected_cells.r_score = cells.r_score
            and expected_cells.f_score = cells.f_score
            and expected_cells.m_score = cells.m_score
    group by 1, 2, 3, 4, 5, 6, 7

),

out_of_range as (

    select
        segment_scheme,
        r_bins,
        f_bins,
        m_bins,
        r_score,
        f_score,
        m_score,
        -1 as segments
    from cells
    where r_score > r_bins or f_score > f_bins or m_score > m_bins

),

validation_errors as (

    select * from coverage
    where segments != 1
    union all
    select * from out_of_range

)

select * from validation_errors
