-- Nothing is dropped silently: every row of the raw file is either staged or rejected, once.
with

raw_rows as (

    {{ rfm_raw_row_count() | indent(4) }}

),

staged_rows as (

    select count(*) as row_count from {{ ref('stg_transactions') }}

),

rejected_rows as (

    select count(*) as row_count from {{ ref('rejected_transactions') }}

),

compared as (

    select
        raw_rows.row_count as raw_rows,
        staged_rows.row_count as staged_rows,
        rejected_rows.row_count as rejected_rows
    from raw_rows
    cross join staged_rows
    cross join rejected_rows

)

select * from compared
where raw_rows != staged_rows + rejected_rows
