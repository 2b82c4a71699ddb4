{#- Every row of the contacts file (var campaign_contacts_path) exactly once, parsed, with the reason it cannot
    be used (null when it can): stg_campaign_contacts and rejected_campaign_contacts both select from this
    table. Reasons, the first that applies: missing_customer_id, missing_campaign_id, invalid_contacted_at
    (not an ISO date or timestamp), implausible_contacted_at (outside the plausible dates), after_as_of_date
    (on or after var as_of_date, when set: no response could be seen), unknown_arm (not test or control), then
    among the usable rows customer_in_both_arms (every row of a customer listed in both arms of one campaign)
    and duplicate_contact (a customer's second and later contacts in one campaign and arm; the earliest stays,
    then the first in the file). -#}
{%- set columns = rfm_campaign_contacts_columns() -%}
{%- set as_of_date = rfm_as_of_date() -%}
{%- set missing_id_tokens = rfm_missing_id_tokens() -%}
{#- Each contract column as the file holds it (quoted), or null text when the file has none (strategy). -#}
{%- set read_as = {} -%}
{%- for name, column in columns.items() -%}
    {%- set expression = 'cast(null as varchar)' if column.name is none else rfm_quote_identifier(column.name) -%}
    {%- do read_as.update({name: expression}) -%}
{%- endfor -%}

with

source as (

    -- read_position: the row's place in read order (files in name order, then rows), which DuckDB keeps.
    select
        row_number() over () as read_position,
        _rfm_source_file as source_file,
        {{ read_as.customer_id }} as customer_id,
        {{ read_as.campaign_id }} as campaign_id,
        {{ read_as.contacted_at }} as contacted_at,
        {{ read_as.arm }} as arm,
        {{ read_as.strategy }} as strategy
    from {{ rfm_campaign_contacts_scan() }}

),

parsed as (

    select
        read_position,
        source_file,
        read_position - min(read_position) over (partition by source_file) + 1 as source_row_number,

        ----------  ids
        {{ rfm_id_text('customer_id', columns.customer_id.is_fractional) }} as customer_id,
        {{ rfm_id_text('campaign_id', columns.campaign_id.is_fractional) }} as campaign_id,
        lower({{ rfm_trim_invisible('cast(arm as varchar)') }}) as arm,
        nullif({{ rfm_trim_invisible('cast(strategy as varchar)') }}, '') as strategy,

        ----------  timestamps
        {{ rfm_parse_timestamp('contacted_at', columns.contacted_at.is_text) }} as contacted_at,

        ----------  original values, as read
        cast(customer_id as varchar) as raw_customer_id,
        cast(campaign_id as varchar) as raw_campaign_id,
        cast(contacted_at as varchar) as raw_contacted_at,
        cast(arm as varchar) as raw_arm,
        cast(strategy as varchar) as raw_strategy
    from source

),

cleaned as (

    -- Texts that mean "no id" (var missing_id_tokens), as for transactions.
    select
        * replace (
            {%- if missing_id_tokens %}
                case
                    when lower(customer_id) not in ({{ rfm_string_list(missing_id_tokens) }}) then customer_id
                end as customer_id,
                case
                    when lower(campaign_id) not in ({{ rfm_string_list(missing_id_tokens) }}) then campaign_id
                end as campaign_id
            {%- else %}
                customer_id as customer_id,
                campaign_id as campaign_id
            {%- endif %}
        )
    from parsed

),

checked as (

    select
        *,
        case
            when customer_id is null then 'missing_customer_id'
            when campaign_id is null then 'missing_campaign_id'
            when contacted_at is null then 'invalid_contacted_at'
            when
                contacted_at < cast('{{ rfm_earliest_plausible_date() }}' as date)
                or contacted_at >= cast('{{ rfm_date_plus_days(rfm_latest_plausible_date(), 1) }}' as date)
                then 'implausible_contacted_at'
            {%- if as_of_date is not none %}
                when contacted_at >= cast('{{ as_of_date }}' as date) then 'after_as_of_date'
            {%- endif %}
            when arm is null or arm not in ('test', 'control') then 'unknown_arm'
        end as row_reject_reason
    from cleaned

),

arms_compared as (

    -- Among the usable rows only: the arms a customer is listed in per campaign, and the order of their
    -- contacts in one arm (read_position is unique, so the order is total).
    select
        *,
        min(arm) over (
            partition by row_reject_reason is null, campaign_id, customer_id
        ) as first_arm,
        max(arm) over (
            partition by row_reject_reason is null, campaign_id, customer_id
        ) as last_arm,
        row_number() over (
            partition by row_reject_reason is null, campaign_id, customer_id, arm
            order by contacted_at asc, read_position asc
        ) as contact_number
    from checked

),

classified as (

    select
        *,
        case
            when row_reject_reason is not null then row_reject_reason
            when first_arm != last_arm then 'customer_in_both_arms'
            when contact_number > 1 then 'duplicate_contact'
        end as reject_reason
    from arms_compared

),

final as (

    select
        source_file,
        source_row_number,
        campaign_id,
        customer_id,
        arm,
        strategy,
        contacted_at,
        cast(contacted_at as date) as contact_date,
        reject_reason,
        -- Original values as text, kept for rejected rows only.
        case when reject_reason is not null then raw_customer_id end as raw_customer_id,
        case when reject_reason is not null then raw_campaign_id end as raw_campaign_id,
        case when reject_reason is not null then raw_contacted_at end as raw_contacted_at,
        case when reject_reason is not null then raw_arm end as raw_arm,
        case when reject_reason is not null then raw_strategy end as raw_strategy
    from classified

)

select * from final
