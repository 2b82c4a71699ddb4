-- Nothing is dropped silently: every raw row is classified once, accepted or rejected, per file. Parquet's row
-- counts come from its footers (no data read) and a relation's from a count; a CSV's only count is the scan's
-- own numbering (its highest row number per file), which assert_file_rows_are_numbered_without_gaps proves; a
-- CSV file missing from staging altogether is not seen here (counting it would parse every CSV again).
{%- set raw_row_count = rfm_raw_row_count() %}

with

file_dates as (

    select * from {{ ref('int_transactions_aggregated_to_file_dates') }}

),

raw_rows as (

    {%- if raw_row_count is not none %}
        {{ raw_row_count }}
    {%- else %}
        select
            source_file,
            max(last_source_row_number) as row_count
        from file_dates
        group by source_file
    {%- endif %}

),

classified_rows as (

    select
        source_file,
        sum(row_count) as row_count
    from file_dates
    group by source_file

),

compared as (

    select
        coalesce(raw_rows.source_file, classified_rows.source_file) as source_file,
        raw_rows.row_count as raw_rows,
        classified_rows.row_count as classified_rows
    from raw_rows
    full outer join classified_rows
        on raw_rows.source_file = classified_rows.source_file

)

select * from compared
-- A file with no rows (an empty daily file) has none to classify.
where coalesce(raw_rows, 0) != coalesce(classified_rows, 0)
