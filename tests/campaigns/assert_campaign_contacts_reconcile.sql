-- Nothing dropped silently: every raw row of each contacts file is one row of stg_campaign_contacts or of
-- rejected_campaign_contacts, never both, never neither. The raw count is a count of the file itself (contacts
-- files are small), and each file's rows are numbered 1..n without gaps.
{{ config(enabled=target.type == 'duckdb' and var('campaign_contacts_path', none) is not none) }}

with

contacts as (

    select * from {{ ref('stg_campaign_contacts') }}

),

rejected as (

    select * from {{ ref('rejected_campaign_contacts') }}

),

raw_rows as (

    select
        _rfm_source_file as source_file,
        count(*) as row_count
    from {{ rfm_campaign_contacts_scan() }}
    group by _rfm_source_file

),

classified_rows as (

    select
        source_file,
        source_row_number
    from contacts
    union all
    select
        source_file,
        source_row_number
    from rejected

),

per_file as (

    select
        source_file,
        count(*) as row_count,
        count(distinct source_row_number) as distinct_rows,
        min(source_row_number) as lowest,
        max(source_row_number) as highest
    from classified_rows
    group by source_file

),

compared as (

    select
        coalesce(raw_rows.source_file, per_file.source_file) as source_file,
        raw_rows.row_count as raw_rows,
        per_file.row_count as classified_rows,
        per_file.distinct_rows,
        per_file.lowest,
        per_file.highest
    from raw_rows
    full outer join per_file
        on raw_rows.source_file = per_file.source_file

)

select * from compared
where
    raw_rows is distinct from classified_rows
    or distinct_rows != classified_rows
    or lowest != 1
    or highest != classified_rows
