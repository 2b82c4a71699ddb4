{#- The reject-rate guard: the share of rejected rows among every row of the input (rows after the as-of date
    left out), overall and per reason. Past var reject_rate_warn a row is a warning (logged by this model's
    post-hook and by `rfm run`); past var reject_rate_error the model stops the build in one sentence, before
    anything is scored or published (int_scoring_window depends on it). Over the whole input, not only the
    files a daily run adds, so that running again after a failure fails again. -#}
{%- set warn_share, error_share = rfm_reject_rate_limits() -%}

with

classified as (

    select * from {{ ref('stg_transactions_classified') }}

),

counted as (

    -- Rows after the as-of date are quarantined by request (a backtest, a fixed as-of date), not because the
    -- input is bad: the guard leaves them out of both sides of the share.
    select
        reject_reason,
        count(*) as row_count
    from classified
    where reject_reason is null or reject_reason != 'after_as_of_date'
    group by reject_reason

),

per_reason as (

    select
        reject_reason,
        sum(row_count) as rejected_rows
    from counted
    where reject_reason is not null
    group by reject_reason

),

overall as (

    select
        '(all)' as reject_reason,
        coalesce(sum(case when reject_reason is not null then row_count end), 0) as rejected_rows,
        coalesce(sum(row_count), 0) as rows_read
    from counted

),

most_common as (

    -- The reason the overall row names: most rows, then the reason's name (a unique order).
    select
        reject_reason,
        rejected_rows,
        row_number() over (order by rejected_rows desc, reject_reason asc) as reason_rank
    from per_reason

),

rated as (

    select
        per_reason.reject_reason,
        per_reason.rejected_rows,
        overall.rows_read,
        cast(null as {{ dbt.type_string() }}) as most_common_reason,
        cast(null as bigint) as most_common_rows
    from per_reason
    cross join overall

    union all

    select
        overall.reject_reason,
        overall.rejected_rows,
        overall.rows_read,
        most_common.reject_reason as most_common_reason,
        most_common.rejected_rows as most_common_rows
    from overall
    left join most_common
        on most_common.reason_rank = 1

),

shared as (

    select
        *,
        cast(rejected_rows as double) / nullif(rows_read, 0) as reject_share,
        -- As text for the sentences: one decimal, the same on every engine.
        cast(cast(100.0 * rejected_rows / nullif(rows_read, 0) as decimal(5, 1)) as {{ dbt.type_string() }})
            as reject_percent,
        cast(cast(100.0 * most_common_rows / nullif(rows_read, 0) as decimal(5, 1)) as {{ dbt.type_string() }})
            as most_common_percent
    from rated

),

judged as (

    select
        *,
        case
            when reject_share > {{ error_share }} then 'error'
            when reject_share > {{ warn_share }} then 'warn'
            else 'ok'
        end as guard_status
    from shared

),

messaged as (

    select
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
                    || cast(rows_read as {{ dbt.type_string() }}) || ' rows read (' || reject_percent
                    || '%), past var reject_rate_'
                    || case
                        when guard_status = 'error' then 'error ({{ "%g" | format(error_share * 100) }}%)'
                        else 'warn ({{ "%g" | format(warn_share * 100) }}%)'
                    end
                    || '; the most common reason is ' || most_common_reason || ' (' || most_common_percent
                    || '%): see staging.rejected_transactions, fix the input, or raise the threshold.'
            else
                reject_percent || '% of the rows read (' || cast(rejected_rows as {{ dbt.type_string() }})
                || ' of ' || cast(rows_read as {{ dbt.type_string() }}) || ') were rejected as ' || reject_reason
                || ', past var reject_rate_'
                || case
                    when guard_status = 'error' then 'error ({{ "%g" | format(error_share * 100) }}%).'
                    else 'warn ({{ "%g" | format(warn_share * 100) }}%).'
                end
        end as guard_message
    from judged

),

guarded as (

    -- The build stops at the overall row, which is past the limit whenever any reason is.
    select
        reject_reason,
        rejected_rows,
        rows_read,
        reject_share,
        guard_status,
        case
            when guard_status = 'error' and reject_reason = '(all)' then {{ rfm_raise_error('guard_message') }}
            else guard_message
        end as guard_message
    from messaged

)

select * from guarded
