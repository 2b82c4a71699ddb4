with

customers as (

    select * from {{ ref('customer_rfm') }}

),

per_cell as (

    select
        rfm_cell,
        r_score,
        f_score,
        m_score,
        segment,
        count(*) as customers,
        sum(monetary) as revenue,
        avg(recency_days) as avg_recency_days,
        avg(frequency) as avg_frequency,
        -- Exact to the cent on every engine (DuckDB's avg of decimals is a double).
        {{ rfm_money_divide('sum(monetary)', 'count(*)') }} as avg_monetary
    from customers
    group by rfm_cell, r_score, f_score, m_score, segment

),

totals as (

    select count(*) as customers from customers

),

summarised as (

    select
        per_cell.rfm_cell,
        per_cell.r_score,
        per_cell.f_score,
        per_cell.m_score,
        per_cell.segment,
        per_cell.customers,
        cast(per_cell.customers as double) / totals.customers as share_of_customers,
        cast(per_cell.revenue as {{ rfm_money_type() }}) as revenue,
        cast(per_cell.avg_recency_days as double) as avg_recency_days,
        cast(per_cell.avg_frequency as double) as avg_frequency,
        cast(per_cell.avg_monetary as {{ rfm_money_type() }}) as avg_monetary
    from per_cell
    cross join totals

)

select * from summarised
