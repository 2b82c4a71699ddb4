{#- Every classified row counted once, per file, day and reject reason (null = accepted): a few rows per file
    and day, from one pass over staging. The reject-rate guard, the scoring window and the tests that prove
    nothing was lost or miscounted read this instead of rescanning every transaction. -#}
with

classified as (

    select * from {{ ref('stg_transactions_classified') }}

),

counted as (

    select
        source_file,
        cast(transaction_at as date) as transaction_date,
        reject_reason,
        count(*) as row_count,
        count(case when reject_reason is null and amount >= 0 then 1 end) as purchases,
        count(case when reject_reason is null and amount < 0 then 1 end) as refunds,
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
    from classified
    group by source_file, cast(transaction_at as date), reject_reason

),

final as (

    select
        source_file,
        transaction_date,
        reject_reason,
        cast(row_count as bigint) as row_count,
        cast(purchases as bigint) as purchases,
        cast(refunds as bigint) as refunds,
        cast(amount as {{ rfm_money_type() }}) as amount,
        cast(incomplete_transactions as bigint) as incomplete_transactions,
        first_source_row_number,
        last_source_row_number
    from counted

)

select * from final
