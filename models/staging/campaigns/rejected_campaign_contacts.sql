{#- The contacts quarantine: every row of the contacts file that cannot be used, with the first reason that
    applies and its original values as text, so it can be found and fixed at the source. -#}
with

classified as (

    select * from {{ ref('stg_campaign_contacts_classified') }}

),

rejected as (

    select
        source_file,
        source_row_number,
        reject_reason,
        raw_campaign_id,
        raw_customer_id,
        raw_contacted_at,
        raw_arm,
        raw_strategy
    from classified
    where reject_reason is not null

)

select * from rejected
