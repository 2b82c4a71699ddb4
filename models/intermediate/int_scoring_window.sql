{#- One row: the as-of date and the start of the lookback window that every customer is scored over. -#}
{%- set as_of_date = rfm_as_of_date() -%}
{%- set lookback_days = rfm_lookback_days() -%}

with

transactions as (

    select * from {{ ref('stg_transactions') }}

),

latest as (

    select
        max(transaction_date) as latest_transaction_date,
        min(transaction_date) as earliest_transaction_date,
        count(*) as valid_transactions
    from transactions

),

as_of as (

    select
        {%- if as_of_date is not none %}
            cast('{{ as_of_date }}' as date) as as_of_date,
        {%- else %}
            -- Default: the day after the latest valid transaction, so that it counts (the bound is exclusive).
            cast({{ dbt.dateadd('day', 1, 'latest_transaction_date') }} as date) as as_of_date,
        {%- endif %}
        earliest_transaction_date,
        latest_transaction_date,
        valid_transactions
    from latest

),

scoring_window as (

    select
        as_of_date,
        {%- if lookback_days is not none %}
            cast({{ dbt.dateadd('day', -lookback_days, 'as_of_date') }} as date) as window_start_date,
        {%- else %}
            cast(null as date) as window_start_date,
        {%- endif %}
        {{ lookback_days if lookback_days is not none else 'cast(null as integer)' }} as lookback_days,
        earliest_transaction_date,
        latest_transaction_date,
        valid_transactions
    from as_of

)

select * from scoring_window
