{#- The usable contacts: one row per campaign and customer, in the test or the control arm. -#}
with

classified as (

    select * from {{ ref('stg_campaign_contacts_classified') }}

),

accepted as (

    select
        campaign_id,
        customer_id,
        arm,
        strategy,
        contacted_at,
        contact_date,
        source_file,
        source_row_number
    from classified
    where reject_reason is null

)

select * from accepted
