-- R-F-M cell means comparison: the mean of each measure per cell beside the mean of its score level in each
-- dimension and of all customers, to see whether a cell behaves like its scores say (and which cells of one
-- segment differ). Compile with `dbt compile` and run the SQL in target/compiled/rfm/analyses/.
with

cells as (

    select * from {{ ref('rfm_cell_summary') }}

),

customers as (

    select * from {{ ref('customer_rfm') }}

),

overall as (

    select
        avg(recency_days) as avg_recency_days,
        avg(frequency) as avg_frequency,
        avg(monetary) as avg_monetary
    from customers

),

per_r_score as (

    select
        r_score,
        avg(recency_days) as avg_recency_days
    from customers
    group by r_score

),

per_f_score as (

    select
        f_score,
        avg(frequency) as avg_frequency
    from customers
    group by f_score

),

per_m_score as (

    select
        m_score,
        avg(monetary) as avg_monetary
    from customers
    group by m_score

),

compared as (

    select
        cells.rfm_cell,
        cells.segment,
        cells.customers,
        cells.avg_recency_days,
        per_r_score.avg_recency_days as r_level_avg_recency_days,
        overall.avg_recency_days as overall_avg_recency_days,
        cells.avg_frequency,
        per_f_score.avg_frequency as f_level_avg_frequency,
        overall.avg_frequency as overall_avg_frequency,
        cells.avg_monetary,
        per_m_score.avg_monetary as m_level_avg_monetary,
        overall.avg_monetary as overall_avg_monetary,
        rank() over (order by cells.avg_monetary desc) as monetary_rank
    from cells
    cross join overall
    inner join per_r_score on cells.r_score = per_r_score.r_score
    inner join per_f_score on cells.f_score = per_f_score.f_score
    inner join per_m_score on cells.m_score = per_m_score.m_score

)

select * from compared
order by rfm_cell desc
