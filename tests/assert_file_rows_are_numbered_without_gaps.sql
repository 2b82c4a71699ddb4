-- source_row_number numbers each file's rows 1..n: the lowest is 1 and the highest is the file's row count, so
-- a row lost after numbering, one counted twice, or a file left unnumbered shows (from the per-file counts, not a
-- rescan).
with

file_dates as (

    select * from {{ ref('int_transactions_aggregated_to_file_dates') }}

),

per_file as (

    select
        source_file,
        sum(row_count) as row_count,
        min(first_source_row_number) as lowest,
        max(last_source_row_number) as highest
    from file_dates
    group by source_file

)

select * from per_file
where lowest is null or highest is null or lowest != 1 or highest != row_count
