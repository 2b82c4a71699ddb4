{#- The current as-of date's customers: their measures, scores and segment, and beside them P(alive), the
    value and the churn band. On DuckDB from customer_clv (the CLV models, fitted in the build or given by var
    clv_parameters); on Spark, where those Python models are off, P(alive) and the band from
    int_customers_scored_for_clv (var clv_parameters, in SQL), and the value is null (it needs the hypergeometric
    function, which Spark SQL lacks). Null for a customer with refunds only, whom the models do not see, and
    without parameters. -#}
{%- set with_clv_models = target.type == 'duckdb' -%}

with

customers_segmented as (

    select * from {{ ref('int_customers_segmented') }}

),

scoring_window as (

    select * from {{ ref('int_scoring_window') }}

),

customer_clv as (

    {%- if with_clv_models %}
        select
            customer_id,
            p_alive,
            expected_value,
            churn_band
        from {{ ref('customer_clv') }}
    {%- else %}
        select
            customer_id,
            p_alive,
            cast(null as double) as expected_value,
            churn_band
        from {{ ref('int_customers_scored_for_clv') }}
        where is_current
    {%- endif %}

),

current_customers as (

    select
        customers_segmented.customer_id,
        customers_segmented.as_of_date,
        customers_segmented.first_purchase_at,
        customers_segmented.last_purchase_at,
        customers_segmented.recency_days,
        customers_segmented.frequency,
        customers_segmented.refunds,
        customers_segmented.monetary,
        customers_segmented.avg_order_value,
        customers_segmented.tenure_days,
        customers_segmented.avg_days_between_purchases,
        customers_segmented.r_score,
        customers_segmented.f_score,
        customers_segmented.m_score,
        customers_segmented.rfm_cell,
        customers_segmented.rfm_score,
        customers_segmented.value_code,
        customers_segmented.segment_scheme,
        customers_segmented.segment,
        customers_segmented.segment_priority,
        customers_segmented.segment_level,
        customers_segmented.segment_description,
        customers_segmented.segment_action,
        customer_clv.p_alive,
        customer_clv.expected_value,
        customer_clv.churn_band
    from customers_segmented
    inner join scoring_window
        on customers_segmented.as_of_date = scoring_window.as_of_date
    left join customer_clv
        on customers_segmented.customer_id = customer_clv.customer_id

)

select * from current_customers
