{{ config(enabled=target.type == 'duckdb') }}
-- P(alive) is written twice: in numpy for customer_clv (src/rfm_clv) and in SQL for Spark and earlier dates
-- (macro rfm_bg_nbd_p_alive, int_customers_scored_for_clv). On DuckDB both score the current date at the same
-- parameters: they must agree, to rounding, and draw the same churn bands.

with

sql_scores as (

    select * from {{ ref('int_customers_scored_for_clv') }}
    where is_current

),

python_scores as (

    select * from {{ ref('customer_clv') }}
    where p_alive is not null

),

validation_errors as (

    select
        coalesce(sql_scores.customer_id, python_scores.customer_id) as customer_id,
        sql_scores.p_alive as sql_p_alive,
        python_scores.p_alive as python_p_alive,
        sql_scores.churn_band as sql_churn_band,
        python_scores.churn_band as python_churn_band
    from sql_scores
    full outer join python_scores
        on sql_scores.customer_id = python_scores.customer_id
    where
        sql_scores.customer_id is null
        or python_scores.customer_id is null
        or abs(sql_scores.p_alive - python_scores.p_alive) > 1e-9
        or sql_scores.churn_band != python_scores.churn_band

)

select * from validation_errors
