{#- The load log: one row per file and run in which stg_transactions_classified loaded, reloaded or removed it.
    The next run compares its latest row per file with the files on disk (macros/rfm_file_plan.sql). It runs
    after staging, so a failed staging run leaves the log as it was and the next run redoes the same files. -#}
-- depends_on: {{ ref('stg_transactions_classified') }}

with

planned as (

    {{ rfm_file_plan_sql(this if is_incremental() else none) | indent(4) }}

),

logged as (

    select
        source_file,
        load_action,
        file_size_bytes,
        file_modified_at,
        load_signature,
        '{{ invocation_id }}' as invocation_id,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp) as loaded_at
    from planned
    where load_action is not null

)

select * from logged
