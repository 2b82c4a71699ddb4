{#- Of the 33 orders, order A-1033 has no customer: the package quarantines it as missing_customer_id and
    stages the other 32, which belong to 10 customers, all scored. -#}
with

counts as (

    select
        (select count(*) from {{ ref('rfm', 'stg_transactions') }}) as staged_rows,
        (
            select count(*) from {{ ref('rfm', 'rejected_transactions') }}
            where reject_reason = 'missing_customer_id' and raw_transaction_id = 'A-1033'
        ) as quarantined_a1033,
        (select count(*) from {{ ref('rfm', 'rejected_transactions') }}) as rejected_rows,
        (select count(*) from {{ ref('rfm', 'customer_rfm') }}) as customers

),

validation_errors as (

    select *
    from counts
    where staged_rows != 32 or quarantined_a1033 != 1 or rejected_rows != 1 or customers != 10

)

select * from validation_errors
