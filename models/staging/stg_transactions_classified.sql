{#- Every raw row exactly once, parsed, with the reason it cannot be used (null when it can). The only model
    that reads the raw file: stg_transactions and rejected_transactions both select from this table. -#}
{%- set columns = rfm_transactions_file_columns() -%}
{%- set as_of_date = rfm_as_of_date() -%}

with

source as (

    {{ read_transactions(columns) | indent(4) }}

),

parsed as (

    select
        source_row_number,
        source_file,

        ----------  ids
        {{ rfm_id_text('customer_id', columns.customer_id.is_fractional) }} as customer_id,
        {{ rfm_id_text('transaction_id', columns.transaction_id.is_fractional) }} as transaction_id,

        ----------  timestamps
        {{ rfm_parse_timestamp('transaction_at', columns.transaction_at.is_text) }} as transaction_at,

        ----------  numerics
        {{ rfm_parse('amount', columns.amount.is_text, rfm_amount_type()) }} as amount,

        ----------  original values, kept for the quarantine
        cast(customer_id as {{ dbt.type_string() }}) as raw_customer_id,
        cast(transaction_at as {{ dbt.type_string() }}) as raw_transaction_at,
        cast(amount as {{ dbt.type_string() }}) as raw_amount,
        cast(transaction_id as {{ dbt.type_string() }}) as raw_transaction_id

    from source

),

checked as (

    -- Reasons in the contract's order: the first that matches wins.
    select
        *,
        case
            when customer_id is null then 'missing_customer_id'
            when transaction_at is null then 'invalid_transaction_at'
            when amount is null then 'invalid_amount'
            {%- if as_of_date is not none %}
            -- as_of_date is an exclusive bound: a transaction on that day is already after it.
            when transaction_at >= cast('{{ as_of_date }}' as date) then 'after_as_of_date'
            {%- endif %}
        end as row_reject_reason
    from parsed

),

deduplicated as (

    select
        *,
        {%- if columns.transaction_id.name is not none %}
            -- Copies are counted in file order (source_row_number is unique), usable rows apart from rejected ones.
            row_number() over (
                partition by transaction_id, row_reject_reason is null
                order by source_row_number asc
            ) as copy_number
        {%- else %}
            -- No transaction_id column: every row is its own transaction.
            cast(null as integer) as copy_number
        {%- endif %}
    from checked

),

classified as (

    select
        source_row_number,
        transaction_id,
        customer_id,
        transaction_at,
        amount,
        -- Among otherwise usable rows, the earliest copy of a transaction_id stays; a blank id is never a copy.
        coalesce(
            row_reject_reason,
            case when transaction_id is not null and copy_number > 1 then 'duplicate_transaction_id' end
        ) as reject_reason,
        source_file,
        raw_customer_id,
        raw_transaction_at,
        raw_amount,
        raw_transaction_id
    from deduplicated

),

trimmed as (

    -- Original text is only needed for rejected rows; nulls for the rest keep this table small.
    select
        source_row_number,
        transaction_id,
        customer_id,
        transaction_at,
        amount,
        reject_reason,
        source_file,
        case when reject_reason is not null then raw_customer_id end as raw_customer_id,
        case when reject_reason is not null then raw_transaction_at end as raw_transaction_at,
        case when reject_reason is not null then raw_amount end as raw_amount,
        case when reject_reason is not null then raw_transaction_id end as raw_transaction_id
    from classified

)

select * from trimmed
