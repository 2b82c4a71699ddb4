with

classified as (

    select * from {{ ref('stg_transactions_classified') }}

),

rejected as (

    -- Original values as text, exactly as read, so a rejected row can be found and fixed at the source.
    select
        source_row_number,
        reject_reason,
        source_file,
        raw_customer_id,
        raw_transaction_at,
        raw_amount,
        raw_transaction_id,
        raw_order_id,
        raw_quantity,
        raw_unit_price,
        raw_line
    from classified
    where reject_reason is not null

)

select * from rejected
