{#- Where the bins fell this run: per dimension and score, the value range it covers and how many customers
    it holds. Levels nobody reached are listed with 0 customers (a warn-level test flags them). -#}
{%- set bins = rfm_bins() -%}

with

customers as (

    select * from {{ ref('int_customers_scored') }}

),

score_levels as (

    {{ rfm_score_levels(bins) | indent(4) }}

),

dimensions as (

    select 'recency' as dimension, 'recency_days' as measure
    union all
    select 'frequency' as dimension, 'frequency' as measure
    union all
    select 'monetary' as dimension, 'monetary' as measure

),

per_score as (

    {%- for dimension, score, measure in [
        ('recency', 'r_score', 'recency_days'),
        ('frequency', 'f_score', 'frequency'),
        ('monetary', 'm_score', 'monetary'),
    ] %}
    select
        '{{ dimension }}' as dimension,
        {{ score }} as score,
        cast(min({{ measure }}) as decimal(18, 2)) as min_value,
        cast(max({{ measure }}) as decimal(18, 2)) as max_value,
        count(*) as customers
    from customers
    group by {{ score }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

totals as (

    select count(*) as customers from customers

),

thresholds as (

    select
        dimensions.dimension,
        dimensions.measure,
        score_levels.score,
        per_score.min_value,
        per_score.max_value,
        coalesce(per_score.customers, 0) as customers,
        cast(coalesce(per_score.customers, 0) as double) / nullif(totals.customers, 0) as share_of_customers
    from dimensions
    cross join score_levels
    cross join totals
    left join per_score
        on
            dimensions.dimension = per_score.dimension
            and score_levels.score = per_score.score

)

select * from thresholds
