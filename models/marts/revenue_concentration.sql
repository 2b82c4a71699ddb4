{#- How concentrated revenue is at the as-of date (the 20/80 rule): the share of net revenue of the top 1, 5, 10
    and 20% of customers by monetary, and the Gini coefficient of monetary. One row. -#}
with

customers as (

    select * from {{ ref('customer_rfm') }}

),

ranked as (

    -- The top k% are the first ceil(k% x customers) by monetary (ties by customer_id, so the cut is stable).
    -- The Gini coefficient is over monetary with net refunds counted as 0: it is defined for values >= 0.
    select
        as_of_date,
        monetary,
        case when monetary > 0 then monetary else 0 end as gini_value,
        row_number() over (order by monetary desc, customer_id asc) as revenue_rank,
        row_number() over (
            order by case when monetary > 0 then monetary else 0 end, customer_id
        ) as ascending_rank
    from customers

),

totals as (

    select
        max(as_of_date) as as_of_date,
        count(*) as customers,
        sum(monetary) as revenue,
        sum(gini_value) as gini_total,
        sum(ascending_rank * gini_value) as rank_weighted_total
    from ranked

),

tops as (

    select
        sum(case when ranked.revenue_rank <= ceil(0.01 * totals.customers) then ranked.monetary end)
            as top_1_percent_revenue,
        sum(case when ranked.revenue_rank <= ceil(0.05 * totals.customers) then ranked.monetary end)
            as top_5_percent_revenue,
        sum(case when ranked.revenue_rank <= ceil(0.10 * totals.customers) then ranked.monetary end)
            as top_10_percent_revenue,
        sum(case when ranked.revenue_rank <= ceil(0.20 * totals.customers) then ranked.monetary end)
            as top_20_percent_revenue
    from ranked
    cross join totals

),

final as (

    -- Gini = (2 * sum(i * x_i) - (n + 1) * sum(x)) / (n * sum(x)), x ascending, i = 1..n; null when nobody spent.
    select
        totals.as_of_date,
        cast(totals.customers as bigint) as customers,
        cast(totals.revenue as {{ rfm_money_type() }}) as revenue,
        cast(tops.top_1_percent_revenue as {{ rfm_money_type() }}) as top_1_percent_revenue,
        cast(tops.top_5_percent_revenue as {{ rfm_money_type() }}) as top_5_percent_revenue,
        cast(tops.top_10_percent_revenue as {{ rfm_money_type() }}) as top_10_percent_revenue,
        cast(tops.top_20_percent_revenue as {{ rfm_money_type() }}) as top_20_percent_revenue,
        cast(tops.top_1_percent_revenue as double) / nullif(totals.revenue, 0) as top_1_percent_share,
        cast(tops.top_5_percent_revenue as double) / nullif(totals.revenue, 0) as top_5_percent_share,
        cast(tops.top_10_percent_revenue as double) / nullif(totals.revenue, 0) as top_10_percent_share,
        cast(tops.top_20_percent_revenue as double) / nullif(totals.revenue, 0) as top_20_percent_share,
        -- The numerator in exact decimals: two doubles subtracted could come out a hair below 0 for equal spenders.
        cast(2 * totals.rank_weighted_total - (totals.customers + 1) * totals.gini_total as double)
        / nullif(totals.customers * cast(totals.gini_total as double), 0) as gini_coefficient
    from totals
    cross join tops

)

select * from final
