with

classified as (

    select * from {{ ref('stg_transactions_classified') }}

),

accepted as (

    select
        ----------  ids
        cast(transaction_id as {{ dbt.type_string() }}) as transaction_id,
        customer_id,
        order_id,
        source_file,
        source_row_number,

        ----------  timestamps
        transaction_at,
        cast(transaction_at as date) as transaction_date,

        ----------  numerics
        amount,
        quantity,
        unit_price,

        ----------  booleans
        amount < 0 as is_refund

    from classified
    where reject_reason is null

)

select * from accepted
