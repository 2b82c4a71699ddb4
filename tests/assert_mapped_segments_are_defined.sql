-- Each segment a map assigns has a definition (description, action, priority) in its scheme, and each
-- definition is used by some map: no customer ends up with a segment nobody described.
with

segment_map as (

    select * from {{ ref('rfm_segment_map') }}

),

segment_definitions as (

    select * from {{ ref('rfm_segment_definitions') }}

),

mapped as (

    select distinct
        segment_scheme,
        segment
    from segment_map

),

validation_errors as (

    select
        coalesce(mapped.segment_scheme, segment_definitions.segment_scheme) as segment_scheme,
        coalesce(mapped.segment, segment_definitions.segment) as segment,
        case
            when segment_definitions.segment is null then 'mapped but not defined'
            else 'defined but never mapped'
        end as problem
    from mapped
    full outer join segment_definitions
        on
            mapped.segment_scheme = segment_definitions.segment_scheme
            and mapped.segment = segment_definitions.segment
    where mapped.segment is null or segment_definitions.segment is null

)

select * from validation_errors
