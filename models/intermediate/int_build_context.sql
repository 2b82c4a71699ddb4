{#- One row about the dbt invocation building this: what the publication records (rfm_publication). A view,
    compiled at run time, so it always describes the current invocation. -#}
with

context as (

    select
        '{{ invocation_id }}' as invocation_id,
        '{{ run_started_at.strftime("%Y-%m-%dT%H:%M:%SZ") }}' as run_started_at,
        {{ rfm_string_literal(rfm_transactions_path()) }} as transactions_path

)

select * from context
