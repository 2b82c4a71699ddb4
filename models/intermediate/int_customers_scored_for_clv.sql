{#- P(alive) and the churn band in SQL, per customer at each date int_customers_summarised_for_clv summarises
    (macro rfm_bg_nbd_p_alive: FHL 2005, eq. 11), at the parameters customer_clv uses: on DuckDB
    clv_model_parameters' (fitted in the build, or var clv_parameters), on Spark var clv_parameters' (the fit, a
    Python model, cannot run there). customer_rfm reads the current date from here on Spark, churn_alerts the
    previous date on DuckDB; on DuckDB a data test holds the current date equal to customer_clv's numpy
    scores. No parameters: no rows. A view: only those readers compute it. -#}

with

summaries as (

    select * from {{ ref('int_customers_summarised_for_clv') }}

),

settings as (

    select * from {{ ref('int_clv_settings') }}

),

bg_nbd as (

    {%- if target.type == 'duckdb' %}
        select
            max(case when parameter = 'r' then value end) as r,
            max(case when parameter = 'alpha' then value end) as alpha,
            max(case when parameter = 'a' then value end) as a,
            max(case when parameter = 'b' then value end) as b
        from {{ ref('clv_model_parameters') }}
        where model = 'bg_nbd' and is_fitted
        having count(*) = 4
    {%- else %}
        select
            given_r as r,
            given_alpha as alpha,
            given_a as a,
            given_b as b
        from settings
        where given_r is not null
    {%- endif %}

),

scored as (

    select
        summaries.as_of_date,
        summaries.customer_id,
        summaries.is_current,
        summaries.is_previous,
        {{ rfm_bg_nbd_p_alive(
            'bg_nbd.r', 'bg_nbd.alpha', 'bg_nbd.a', 'bg_nbd.b', 'summaries.x', 'summaries.t_x', 'summaries.t_cal'
        ) }} as p_alive
    from summaries
    cross join bg_nbd

),

banded as (

    -- The bands as customer_clv draws them.
    select
        scored.as_of_date,
        scored.customer_id,
        scored.is_current,
        scored.is_previous,
        scored.p_alive,
        case
            when scored.p_alive < settings.churn_high_below then 'high'
            when scored.p_alive < settings.churn_medium_below then 'medium'
            else 'low'
        end as churn_band
    from scored
    cross join settings

)

select * from banded
