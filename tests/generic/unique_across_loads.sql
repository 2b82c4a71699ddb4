{#- dbt's unique, for a table loaded file by file (`loads`: its load log, with source_file, load_action and
    loaded_at). After a daily load it checks the latest load's rows against every row: a new copy of an old
    value fails, but the history is not hashed again (its rows were checked when they arrived; dbt's docs
    recommend the same for large incremental tables, with a date filter). When the latest load is most of
    the table (a first or full build), it is the plain check over every row. -#}
{% test unique_across_loads(model, column_name, loads) %}

{%- set latest_files -%}
    select source_file from {{ loads }}
    where
        load_action != 'remove'
        and loaded_at = (select max(loaded_at) from {{ loads }})
{%- endset -%}

{%- set check_latest_only = false -%}
{%- if execute and run_query('select count(distinct loaded_at) from ' ~ loads).columns[0].values()[0] > 1 -%}
    {#- Not the first load: is the latest one small next to the table? (One cheap pass over source_file.) -#}
    {%- set counts = run_query(
        'select count(*) filter (where source_file in (' ~ latest_files ~ ')) as arriving, count(*) as total from '
        ~ model
    )[0] -%}
    {%- set check_latest_only = counts['arriving'] * 2 < counts['total'] -%}
{%- endif %}

with

tested as (

    select * from {{ model }}

),

{%- if check_latest_only %}

arriving as (

    select {{ column_name }}
    from tested
    where
        {{ column_name }} is not null
        and source_file in ({{ latest_files }})

),

validation_errors as (

    -- An arriving value matched by any other row (old or arriving) joins more than once.
    select
        every_row.{{ column_name }} as unique_field,
        count(*) as n_records
    from tested as every_row
    inner join arriving
        on every_row.{{ column_name }} = arriving.{{ column_name }}
    group by every_row.{{ column_name }}
    having count(*) > 1

)

{%- else %}

validation_errors as (

    select
        {{ column_name }} as unique_field,
        count(*) as n_records
    from tested
    where {{ column_name }} is not null
    group by {{ column_name }}
    having count(*) > 1

)

{%- endif %}

select * from validation_errors

{% endtest %}
