{#- The contact dates, as as-of dates to score (int_transactions_aggregated_to_customer_dates adds them to the
    history's dates): a contact's segment is the one a build with as_of_date = its contact date gives, over the
    transactions before that day, binned among that day's customers. Shaped like int_history_as_of_dates; a
    contact date carries no history period. -#}
{%- set lookback_days = rfm_lookback_days() -%}

with

contacts as (

    select * from {{ ref('stg_campaign_contacts') }}

),

contact_dates as (

    select distinct contact_date as as_of_date
    from contacts

),

final as (

    select
        as_of_date,
        cast(null as date) as period_start_date,
        {%- if lookback_days is not none %}
            cast({{ dbt.dateadd('day', -lookback_days, 'as_of_date') }} as date) as window_start_date,
        {%- else %}
            cast(null as date) as window_start_date,
        {%- endif %}
        false as is_current
    from contact_dates

)

select * from final
