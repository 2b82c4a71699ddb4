{#- The history's as-of dates: the current one (int_scoring_window), then one history_interval back at a time
    down to history_start_date; only the current one when history_start_date is null. -#}
{%- set start_date = rfm_history_start_date() -%}
{%- set lookback_days = rfm_lookback_days() -%}
{#- Enough steps to reach any history_start_date from any as-of date: both lie in the plausible range (checked
    by their vars), so the steps that span it are enough; int_scoring_window checks the start against the data. -#}
{%- set date_part, size = rfm_history_interval() -%}
{%- set earliest, latest = rfm_earliest_plausible_date(), rfm_latest_plausible_date() -%}
{%- if date_part == 'week' -%}
    {%- set span = modules.datetime.date.fromisoformat(latest) - modules.datetime.date.fromisoformat(earliest) -%}
    {%- set max_steps = span.days // (7 * size) + 2 -%}
{%- else -%}
    {%- set months = (latest[0:4] | int - earliest[0:4] | int) * 12 + latest[5:7] | int - earliest[5:7] | int -%}
    {%- set max_steps = months // size + 2 -%}
{%- endif -%}

with

scoring_window as (

    select * from {{ ref('int_scoring_window') }}

),

steps_back as (

    {%- if start_date is none %}
        select 0 as steps_back
    {%- else %}
        -- The dates before history_start_date are dropped below.
        select n as steps_back from ({{ rfm_integer_series(0, max_steps) }}) as series
    {%- endif %}

),

dated as (

    select
        steps_back.steps_back,
        {{ rfm_history_date_back('scoring_window.as_of_date', 'steps_back.steps_back') }} as as_of_date,
        {{ rfm_history_date_back('scoring_window.as_of_date', 'steps_back.steps_back + 1') }} as period_start_date
    from steps_back
    cross join scoring_window

),

final as (

    select
        as_of_date,
        period_start_date,
        {%- if lookback_days is not none %}
            cast({{ dbt.dateadd('day', -lookback_days, 'as_of_date') }} as date) as window_start_date,
        {%- else %}
            cast(null as date) as window_start_date,
        {%- endif %}
        steps_back = 0 as is_current
    from dated
    {%- if start_date is not none %}
        where steps_back = 0 or as_of_date >= cast('{{ start_date }}' as date)
    {%- endif %}

)

select * from final
