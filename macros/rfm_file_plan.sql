{#-
    Daily incremental runs. Staging is keyed on files: stg_transaction_file_loads logs, per run, each file that
    was loaded, reloaded or removed (with its size and modification time), and the next run compares that log
    with the files that match transactions_path now. Only the difference is read; customer totals are then
    updated for the customers with new rows, and everyone is rescored (scores are relative).

    Why reload everything from the first changed file on: "the earliest copy of a transaction_id stays" means
    earliest in file-name order, so a changed file can change which copy is first in any later file. Daily
    files named by date only ever add a last file, which is the cheap case.
-#}

{#- What staging's output depends on besides the files: a change reloads every file. Raise staging_version
    when a change to staging's SQL makes rows staged before it wrong, so that a plain `dbt build` rereads.
    latest_plausible_date counts as set, not resolved: its default, the build day, changes daily and would reread
    every file every day; so a row quarantined for a date after the build day stays quarantined in daily runs
    until --full-refresh (README, "Bad rows"). -#}
{% macro rfm_staging_signature() -%}
    {{ return(local_md5(tojson({
        'transactions_columns': rfm_transactions_columns(),
        'as_of_date': rfm_as_of_date(),
        'missing_id_tokens': rfm_missing_id_tokens(),
        'identical_rows': rfm_identical_rows(),
        'transaction_at_format': rfm_transaction_at_format(),
        'earliest_plausible_date': rfm_earliest_plausible_date(),
        'latest_plausible_date': rfm_date_var('latest_plausible_date'),
        'staging_version': 4,
    }))) }}
{%- endmacro %}


{#- The log of file loads, found by name (it runs after staging, so staging cannot ref() it); none before the
    first run or when staging itself is being rebuilt. -#}
{% macro rfm_file_loads_relation() -%}
    {%- if not rfm_can_introspect() -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(adapter.get_relation(database=this.database, schema=this.schema, identifier='stg_transaction_file_loads')) }}
{%- endmacro %}


{#- One row per file that matches transactions_path now or was staged before, with load_action: 'load' (new),
    'reload' (changed, changed signature, or after the first changed file) or 'remove' (gone); null when the
    staged rows are still right. previous: the load log to compare with, or none (everything is new).
    staged_relation: the staging table, when its own files count too: a file it holds that the log does not
    know (a log rebuilt on its own) is reread, or dropped when it no longer exists. -#}
{% macro rfm_file_plan_sql(previous, staged_relation=none) -%}
    {%- set signature = rfm_staging_signature() -%}
    with

    listed as (

        {{ rfm_listed_files() | indent(8) }}

    ),

    {%- if previous is not none %}

    latest_loads as (

        select
            source_file,
            file_size_bytes,
            file_modified_at,
            load_action,
            load_signature,
            row_number() over (partition by source_file order by loaded_at desc, invocation_id desc) as load_rank
        from {{ previous }}

    ),

    known as (

        select
            source_file,
            file_size_bytes,
            file_modified_at,
            load_signature
        from latest_loads
        where load_rank = 1 and load_action != 'remove'

    ),

    {%- if staged_relation is not none %}

    staged_files as (

        select distinct source_file from {{ staged_relation }}

    ),

    staged as (

        -- An unknown file has no signature, so it counts as changed.
        select
            coalesce(known.source_file, staged_files.source_file) as source_file,
            known.file_size_bytes,
            known.file_modified_at,
            coalesce(known.load_signature, 'unknown') as load_signature
        from known
        full outer join staged_files on known.source_file = staged_files.source_file

    ),

    {%- else %}

    staged as (

        select * from known

    ),

    {%- endif %}

    {%- else %}

    staged as (

        select
            cast(null as {{ dbt.type_string() }}) as source_file,
            cast(null as bigint) as file_size_bytes,
            cast(null as timestamp) as file_modified_at,
            cast(null as {{ dbt.type_string() }}) as load_signature
        where false

    ),

    {%- endif %}

    compared as (

        select
            coalesce(listed.source_file, staged.source_file) as source_file,
            listed.file_size_bytes,
            listed.file_modified_at,
            case
                when staged.source_file is null then 'load'
                when listed.source_file is null then 'remove'
                when
                    listed.file_size_bytes != staged.file_size_bytes
                    or listed.file_modified_at != staged.file_modified_at
                    or staged.load_signature != '{{ signature }}'
                    then 'reload'
            end as file_change
        from listed
        full outer join staged on listed.source_file = staged.source_file

    ),

    first_change as (

        select min(source_file) as source_file
        from compared
        where file_change is not null

    ),

    planned as (

        select
            compared.source_file,
            compared.file_size_bytes,
            compared.file_modified_at,
            case
                when compared.file_change is not null then compared.file_change
                when compared.source_file >= first_change.source_file then 'reload'
            end as load_action,
            '{{ signature }}' as load_signature
        from compared
        cross join first_change

    )

    select * from planned
{%- endmacro %}


{#- The files that match transactions_path now: source_file, file_size_bytes, file_modified_at. -#}
{% macro rfm_listed_files() -%}
    {{ return(adapter.dispatch('rfm_listed_files', 'rfm')()) }}
{%- endmacro %}


{% macro default__rfm_listed_files() -%}
    {%- if rfm_transactions_relation() is not none %}
    {{ rfm_relation_listed() }}
    {%- else %}
    -- File metadata only: read_blob does not read the content unless it is selected.
    select
        filename as source_file,
        size as file_size_bytes,
        cast(last_modified as timestamp) as file_modified_at
    from read_blob({{ rfm_string_literal(rfm_transactions_path()) }})
    {%- endif %}
{%- endmacro %}


{#- Spark: the files' own metadata columns, named as staging names them (a file with no rows is not listed). -#}
{% macro spark__rfm_listed_files() -%}
    {%- if rfm_transactions_relation() is not none %}
    {{ rfm_relation_listed() }}
    {%- else %}
    select
        _metadata.file_path as source_file,
        max(_metadata.file_size) as file_size_bytes,
        cast(max(_metadata.file_modification_time) as timestamp) as file_modified_at
    from {{ rfm_transactions_scan() }}
    group by _metadata.file_path
    {%- endif %}
{%- endmacro %}


{#- The plan as a list of {source_file, load_action} for the files to act on, in file-name order. -#}
{% macro rfm_file_plan(previous, staged_relation=none) -%}
    {%- set actions = [] -%}
    {%- if not rfm_can_introspect() -%}
        {{ return(actions) }}
    {%- endif -%}
    {%- set plan_sql -%}
        select source_file, load_action from ({{ rfm_file_plan_sql(previous, staged_relation) }}) as plan
        where load_action is not null
        order by source_file
    {%- endset -%}
    {%- for row in run_query(plan_sql) -%}
        {%- do actions.append({'source_file': row['source_file'], 'load_action': row['load_action']}) -%}
    {%- endfor -%}
    {{ return(actions) }}
{%- endmacro %}
