{#- Every classified row counted once, per file, day and reject reason (null = accepted): a few rows per file
    and day. The reject-rate guard, the scoring window and the tests that prove nothing was lost or miscounted
    read this instead of rescanning every transaction. Incremental by file: a daily run counts only the files
    staging loaded since they were counted; the pre-hook has removed the counts of files loaded again, removed,
    or forgotten by the load log (macros/rfm_uncount_changed_files.sql). -#}
with

classified as (

    select * from {{ ref('stg_transactions_classified') }}

),

file_loads as (

    select * from {{ ref('stg_transaction_file_loads') }}

),

latest_loads as (

    select
        source_file,
        max(loaded_at) as loaded_at
    from file_loads
    group by source_file

),

{%- if is_incremental() %}

pending_files as (

    -- Staged files without counts: new ones, and those whose counts the pre-hook removed. A removed file has
    -- no staged rows left, so it gets no counts.
    select latest_loads.source_file
    from latest_loads
    where latest_loads.source_file not in (select counted.source_file from {{ this }} as counted)

),

{%- endif %}

pending_rows as (

    -- A full count reads every staged row; an incremental one, the rows of the pending files.
    select classified.*
    from classified
    {%- if is_incremental() %}
    where classified.source_file in (select pending_files.source_file from pending_files)
    {%- endif %}

),

counted as (

    select
        source_file,
        cast(transaction_at as date) as transaction_date,
        reject_reason,
        count(*) as row_count,
        count(case when reject_reason is null and amount >= 0 then 1 end) as purchases,
        count(case when reject_reason is null and amount < 0 then 1 end) as refunds,
        count(case when reject_reason is null and order_id is not null then 1 end) as order_lines,
        sum(case when reject_reason is null then amount end) as amount,
        -- What stg_transactions promises about its rows, counted instead of tested row by row.
        count(
            case
                when reject_reason is null and (customer_id is null or transaction_at is null or amount is null)
                    then 1
            end
        ) as incomplete_transactions,
        min(source_row_number) as first_source_row_number,
        max(source_row_number) as last_source_row_number
    from pending_rows
    group by source_file, cast(transaction_at as date), reject_reason

),

final as (

    select
        counted.source_file,
        counted.transaction_date,
        counted.reject_reason,
        cast(counted.row_count as bigint) as row_count,
        cast(counted.purchases as bigint) as purchases,
        cast(counted.refunds as bigint) as refunds,
        cast(counted.order_lines as bigint) as order_lines,
        -- Exact: an order line's amount has up to 8 decimals.
        cast(counted.amount as {{ rfm_exact_sum_type() }}) as amount,
        cast(counted.incomplete_transactions as bigint) as incomplete_transactions,
        counted.first_source_row_number,
        counted.last_source_row_number,
        latest_loads.loaded_at
    from counted
    left join latest_loads
        on counted.source_file = latest_loads.source_file

)

select * from final
