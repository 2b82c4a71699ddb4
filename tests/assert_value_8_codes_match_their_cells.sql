-- value_8's segments are the eight high/low combinations: in every value_8 map, each cell's segment has the
-- value_code that the cell's scores give when high is above the middle score (2 * score > bins + 1, the rule
-- of value_code with var value_8_cut score), so the map and customer_rfm.value_code never disagree.
with

cells as (

    select * from {{ ref('int_segment_map_expanded_to_cells') }}
    where segment_scheme = 'value_8'

),

segment_definitions as (

    select * from {{ ref('rfm_segment_definitions') }}
    where segment_scheme = 'value_8'

),

coded as (

    select
        cells.r_bins,
        cells.f_bins,
        cells.m_bins,
        cells.r_score,
        cells.f_score,
        cells.m_score,
        cells.segment,
        segment_definitions.value_code,
        {{ dbt.concat([
            "case when 2 * cells.r_score > cells.r_bins + 1 then '1' else '0' end",
            "case when 2 * cells.f_score > cells.f_bins + 1 then '1' else '0' end",
            "case when 2 * cells.m_score > cells.m_bins + 1 then '1' else '0' end",
        ]) }} as cell_code
    from cells
    left join segment_definitions
        on cells.segment = segment_definitions.segment

),

validation_errors as (

    select * from coded
    where value_code is null or value_code != cell_code

)

select * from validation_errors
