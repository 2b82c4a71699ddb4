{#- The reject-rate guard: the share of rejected rows over the whole input, overall and per reason, and over
    each file when there are several (a daily file gone bad is not diluted by a year of good ones). Rows dated
    on or after a set as-of date are left out. Past var reject_rate_warn a row is a warning (logged by this
    model's post-hook and by `rfm run`); past var reject_rate_error the model stops the build in one sentence,
    before anything is scored or published (int_scoring_window depends on it). It counts every staged row
    (int_transactions_aggregated_to_file_dates), not only what a daily run adds, so that running again after a
    failure fails again. -#}
{%- set warn_share, error_share = rfm_reject_rate_limits() -%}
{%- set as_of_date = rfm_as_of_date() -%}

with

file_dates as (

    select * from {{ ref('int_transactions_aggregated_to_file_dates') }}

),

counted as (

    -- A few rows per file and reason. Rows after a set as-of date are quarantined by request
    -- (a backtest), not because the input is bad: they are left out of both sides of every share, whatever
    -- else is wrong with them.
    select
        source_file,
        reject_reason,
        cast(sum(row_count) as bigint) as row_count
    from file_dates
    {%- if as_of_date is not none %}
        where transaction_date is null or transaction_date < cast('{{ as_of_date }}' as date)
    {%- endif %}
    group by source_file, reject_reason

),

file_count as (

    select count(distinct source_file) as files from counted

),

scoped as (

    -- The whole input as source_file '(all)', and each file on its own when there are several.
    select
        '(all)' as source_file,
        reject_reason,
        row_count
    from counted

    union all

    select
        counted.source_file,
        counted.reject_reason,
        counted.row_count
    from counted
    cross join file_count
    where file_count.files > 1

),

totals as (

    select
        source_file,
        sum(row_count) as rows_read,
        sum(case when reject_reason is not null then row_count else 0 end) as rejected_rows
    from scoped
    group by source_file

),

most_common as (

    -- Each scope's most common reason: most rows, then the reason's name (a unique order within a scope).
    select
        source_file,
        reject_reason,
        row_count as rejected_rows,
        row_number() over (partition by source_file order by row_count desc, reject_reason asc) as reason_rank
    from scoped
    where reject_reason is not null and source_file != '(all)'

    union all

    select
        source_file,
        reject_reason,
        rejected_rows,
        row_number() over (order by rejected_rows desc, reject_reason asc) as reason_rank
    from (
        select
            source_file,
            reject_reason,
            sum(row_count) as rejected_rows
        from scoped
        where reject_reason is not null and source_file = '(all)'
        group by source_file, reject_reason
    ) as input_reasons

),

rated as (

    -- Per reason over the whole input, then every scope's overall row ('(all)' reasons).
    select
        most_common.source_file,
        most_common.reject_reason,
        most_common.rejected_rows,
        totals.rows_read,
        cast(null as {{ dbt.type_string() }}) as most_common_reason,
        cast(null as bigint) as most_common_rows
    from most_common
    inner join totals
        on most_common.source_file = totals.source_file
    where most_common.source_file = '(all)'

    union all

    select
        totals.source_file,
        '(all)' as reject_reason,
        totals.rejected_rows,
        totals.rows_read,
        most_common.reject_reason as most_common_reason,
        most_common.rejected_rows as most_common_rows
    from totals
    left join most_common
        on totals.source_file = most_common.source_file and most_common.reason_rank = 1

),

shared as (

    select
        *,
        cast(rejected_rows as double) / nullif(rows_read, 0) as reject_share,
        -- As text for the sentences: one decimal, the same on every engine.
        cast(cast(100.0 * rejected_rows / nullif(rows_read, 0) as decimal(5, 1)) as {{ dbt.type_string() }})
            as reject_percent,
        cast(cast(100.0 * most_common_rows / nullif(rows_read, 0) as decimal(5, 1)) as {{ dbt.type_string() }})
            as most_common_percent,
        case
            when source_file = '(all)' then 'rows read'
            else 'rows of ' || source_file
        end as rows_named
    from rated

),

judged as (

    select
        *,
        case
            when reject_share > {{ error_share }} then 'error'
            when reject_share > {{ warn_share }} then 'warn'
            else 'ok'
        end as guard_status,
        -- The limit passed, as the sentences name it.
        case
            when reject_share > {{ error_share }} then 'reject_rate_error ({{ "%g" | format(error_share * 100) }}%)'
            else 'reject_rate_warn ({{ "%g" | format(warn_share * 100) }}%)'
        end as limit_passed
    from shared

),

messaged as (

    select
        source_file,
        reject_reason,
        rejected_rows,
        rows_read,
        reject_share,
        guard_status,
        case
            when guard_status = 'ok' then null
            when reject_reason = '(all)'
                then
                    'Rejected ' || cast(rejected_rows as {{ dbt.type_string() }}) || ' of the '
                    || cast(rows_read as {{ dbt.type_string() }}) || ' ' || rows_named || ' (' || reject_percent
                    || '%), past var ' || limit_passed || '; the most common reason is ' || most_common_reason
                    || ' (' || most_common_percent
                    || {{ rfm_string_literal(
                        '%): see ' ~ rfm_relation_name('rejected_transactions')
                        ~ ', fix the input, or raise the threshold.'
                    ) }}
            else
                reject_percent || '% of the ' || rows_named || ' (' || cast(rejected_rows as {{ dbt.type_string() }})
                || ' of ' || cast(rows_read as {{ dbt.type_string() }}) || ') were rejected as ' || reject_reason
                || ', past var ' || limit_passed || '.'
        end as guard_message,
        -- The one row whose sentence stops the build: an overall one, the whole input before a single file.
        row_number() over (
            order by
                guard_status = 'error' desc,
                reject_reason = '(all)' desc,
                source_file = '(all)' desc,
                reject_share desc,
                source_file asc,
                reject_reason asc
        ) as stop_rank
    from judged

),

guarded as (

    select
        source_file,
        reject_reason,
        rejected_rows,
        rows_read,
        reject_share,
        guard_status,
        case
            when guard_status = 'error' and stop_rank = 1 then {{ rfm_raise_error('guard_message') }}
            else guard_message
        end as guard_message
    from messaged

)

select * from guarded
