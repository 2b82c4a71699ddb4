{#- One row: the as-of date and the start of the lookback window that every customer is scored over. A window
    with no customer in it, or a history request the data cannot meet, stops the build here in one sentence:
    every mart depends on this model, so nothing is scored or published. -#}
{%- set as_of_date = rfm_as_of_date() -%}
{%- set lookback_days = rfm_lookback_days() -%}
{%- set history_start_date = rfm_history_start_date() -%}
-- The reject-rate guard runs first: past its limit nothing is scored.
-- depends_on: {{ ref('int_rejections_aggregated_to_reasons') }}

with

file_dates as (

    select * from {{ ref('int_transactions_aggregated_to_file_dates') }}

),

latest as (

    select
        max(transaction_date) as latest_transaction_date,
        min(transaction_date) as earliest_transaction_date,
        cast(coalesce(sum(row_count), 0) as bigint) as valid_transactions
    from file_dates
    where reject_reason is null

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

),

guarded as (

    -- Every usable transaction is before the as-of date (later ones are quarantined), so the window holds a
    -- customer exactly when the latest one is on or after the window's start. The history's dates step back
    -- from this as-of date, so its requests are checked here too, before anything is scored.
    select
        as_of_date,
        window_start_date,
        lookback_days,
        earliest_transaction_date,
        latest_transaction_date,
        case
            when valid_transactions = 0 then {{ rfm_raise_error(rfm_string_literal(
                'Nothing to score' ~ (' as of ' ~ as_of_date if as_of_date is not none else '')
                ~ ': the input has no usable transaction' ~ (' before that date' if as_of_date is not none else '')
                ~ ' (an empty file, only rejected rows, or an as-of date before all data;'
                ~ ' see ' ~ rfm_relation_name('rejected_transactions') ~ ').'
            )) }}
            when latest_transaction_date < window_start_date then {{ rfm_raise_error(dbt.concat([
                rfm_string_literal('Nothing to score as of ' ~ as_of_date ~ ': lookback_days ' ~ lookback_days
                    ~ ' starts the window on '),
                'cast(window_start_date as ' ~ dbt.type_string() ~ ')',
                rfm_string_literal(', after the latest usable transaction ('),
                'cast(latest_transaction_date as ' ~ dbt.type_string() ~ ')',
                rfm_string_literal('); use a longer lookback_days or an earlier as_of_date.'),
            ])) }}
            {%- if history_start_date is not none %}
                when as_of_date <= cast('{{ history_start_date }}' as date) then {{ rfm_raise_error(dbt.concat([
                    rfm_string_literal('var history_start_date ' ~ history_start_date ~ ' must be before the as-of date ('),
                    'cast(as_of_date as ' ~ dbt.type_string() ~ ')',
                    rfm_string_literal(').'),
                ])) }}
                when earliest_transaction_date > cast('{{ history_start_date }}' as date) then {{ rfm_raise_error(dbt.concat([
                    rfm_string_literal('var history_start_date ' ~ history_start_date
                        ~ ' is before the first usable transaction ('),
                    'cast(earliest_transaction_date as ' ~ dbt.type_string() ~ ')',
                    rfm_string_literal('), so the history would begin with dates that hold no customer; start on or after it.'),
                ])) }}
            {%- endif %}
            else valid_transactions
        end as valid_transactions
    from scoring_window

)

select * from guarded
