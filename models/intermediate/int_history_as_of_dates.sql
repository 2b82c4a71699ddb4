{#- The history's as-of dates: the current one (int_scoring_window), then one history_interval back at a time
    down to history_start_date; only the current one when history_start_date is null. -#}
{%- set start_date = rfm_history_start_date() -%}
{%- set lookback_days = rfm_lookback_days() -%}
{#- Enough steps for a century of weeks (earliest_plausible_date bounds real requests well inside it). -#}
{%- set max_steps = 5300 -%}

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

),

reach as (

    select
        min(case when steps_back = 0 then as_of_date end) as current_as_of_date,
        min(as_of_date) as earliest_reachable_date
    from dated

),

guarded as (

    -- A history request the dates cannot meet fails in one sentence instead of being cut short silently.
    select final.*
    from final
    cross join reach
    {%- if start_date is not none %}
        where
            case
                when reach.current_as_of_date <= cast('{{ start_date }}' as date) then {{ rfm_raise_error(
                    rfm_string_literal('var history_start_date ' ~ start_date ~ ' must be before the as-of date (')
                    ~ ' || cast(reach.current_as_of_date as ' ~ dbt.type_string() ~ ') || '
                    ~ rfm_string_literal(').')
                ) }}
                when reach.earliest_reachable_date > cast('{{ start_date }}' as date) then {{ rfm_raise_error(
                    rfm_string_literal('var history_start_date ' ~ start_date ~ ' is more than ' ~ max_steps
                        ~ ' history intervals before the as-of date: choose a later start or a longer history_interval.')
                ) }}
                else true
            end
    {%- endif %}

)

select * from guarded
