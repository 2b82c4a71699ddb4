{#- Where the bins fell this run: per dimension and score, the value range it covers and how many customers
    it holds. Levels nobody reached are listed with 0 customers (a warn-level test flags them). With nested
    binning (var rfm_binning) F and M are cut within each R score (R-F cell), so their ranges overlap. -#}
{%- set bins = rfm_bins() -%}
{%- set dimensions = [
    {'dimension': 'recency', 'score': 'r_score', 'measure': 'recency_days', 'bins': bins.recency},
    {'dimension': 'frequency', 'score': 'f_score', 'measure': 'frequency', 'bins': bins.frequency},
    {'dimension': 'monetary', 'score': 'm_score', 'measure': rfm_monetary_measure(), 'bins': bins.monetary},
] -%}

with

customers as (

    select * from {{ ref('customer_rfm') }}

),

score_levels as (

    {{ rfm_score_levels(rfm_max_bins()) | indent(4) }}

),

per_score as (

    {%- for item in dimensions %}
        select
            '{{ item.dimension }}' as dimension,
            '{{ item.measure }}' as measure,
            {{ item.score }} as score,
            cast(min({{ item.measure }}) as {{ rfm_money_type() }}) as min_value,
            cast(max({{ item.measure }}) as {{ rfm_money_type() }}) as max_value,
            count(*) as customers
        from customers
        group by {{ item.score }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

dimension_levels as (

    {%- for item in dimensions %}
        select
            '{{ item.dimension }}' as dimension,
            '{{ item.measure }}' as measure,
            score
        from score_levels
        where score <= {{ item.bins }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

totals as (

    select count(*) as customers from customers

),

thresholds as (

    select
        dimension_levels.dimension,
        dimension_levels.measure,
        dimension_levels.score,
        per_score.min_value,
        per_score.max_value,
        coalesce(per_score.customers, 0) as customers,
        cast(coalesce(per_score.customers, 0) as double) / nullif(totals.customers, 0) as share_of_customers
    from dimension_levels
    cross join totals
    left join per_score
        on
            dimension_levels.dimension = per_score.dimension
            and dimension_levels.score = per_score.score

)

select * from thresholds
