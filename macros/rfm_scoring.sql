{#- The scoring steps shared by int_customers_scored (one as-of date) and int_customer_dates_scored (every
    history date): ranked, tie_fair and scored CTEs over `customers`, a CTE with one row per customer and
    as_of_date and the columns of int_transactions_aggregated_to_customers (plus `carried`, passed through).
    Bins are computed within each
    as-of date (pooling customers of several dates into one NTILE would compare them with their own past).
    The tie rule is docs block `rfm_tie_rule`. -#}
{% macro rfm_score_ctes(customers, carried=[]) -%}
    {%- set bins = rfm_bins() -%}
ranked as (

    -- Plain NTILE over a total order, worst first; customer_id only makes the order unique.
    -- Refunds-only customers (no purchase) are one tie group at the bottom of every dimension: no recency,
    -- frequency 0, and no monetary key, so they score 1 on R, F and M whatever their net refund.
    select
        *,
        case when frequency > 0 then monetary end as monetary_key,
        ntile({{ bins }}) over (
            partition by as_of_date order by recency_days desc nulls first, customer_id asc
        ) as recency_ntile,
        ntile({{ bins }}) over (
            partition by as_of_date order by frequency asc, customer_id asc
        ) as frequency_ntile,
        ntile({{ bins }}) over (
            partition by as_of_date
            order by case when frequency > 0 then monetary end asc nulls first, customer_id asc
        ) as monetary_ntile
    from {{ customers }}

),

tie_fair as (

    -- Every tie group takes the NTILE of its first member: equal values get equal scores, and the result
    -- does not depend on the tiebreak above, because the group's first position is the same whatever it is.
    select
        *,
        min(recency_ntile) over (partition by as_of_date, recency_days) as r_score,
        min(frequency_ntile) over (partition by as_of_date, frequency) as f_score,
        min(monetary_ntile) over (partition by as_of_date, monetary_key) as m_score
    from ranked

),

scored as (

    select
        customer_id,
        first_purchase_at,
        last_purchase_at,
        recency_days,
        frequency,
        refunds,
        monetary,
        avg_order_value,
        tenure_days,
        as_of_date,
        {%- for column in carried %}
            {{ column }},
        {%- endfor %}
        cast(r_score as integer) as r_score,
        cast(f_score as integer) as f_score,
        cast(m_score as integer) as m_score,
        {{ dbt.concat([
            'cast(r_score as ' ~ dbt.type_string() ~ ')',
            'cast(f_score as ' ~ dbt.type_string() ~ ')',
            'cast(m_score as ' ~ dbt.type_string() ~ ')',
        ]) }} as rfm_cell,
        cast(
            {{ rfm_score_weight('recency') }} * r_score
            + {{ rfm_score_weight('frequency') }} * f_score
            + {{ rfm_score_weight('monetary') }} * m_score
            as integer
        ) as rfm_score
    from tie_fair

)
{%- endmacro %}


{#- Recency, tenure and average order value of `totals` (first_purchase_at, last_purchase_at, frequency,
    purchase_amount), counted to `as_of_date`: the select-list shared by the current and the history models. -#}
{% macro rfm_customer_measures(totals, as_of_date) -%}
        cast(
            {{ dbt.datediff('cast(' ~ totals ~ '.last_purchase_at as date)', as_of_date, 'day') }}
            as integer
        ) as recency_days,
        -- Gross: what an average purchase was worth before refunds; null for a refunds-only customer.
        {{ rfm_money_divide(totals ~ '.purchase_amount', totals ~ '.frequency') }} as avg_order_value,
        cast(
            {{ dbt.datediff('cast(' ~ totals ~ '.first_purchase_at as date)', as_of_date, 'day') }}
            as integer
        ) as tenure_days
{%- endmacro %}


{#- The segment map of the chosen scheme and bins, and the scheme's definitions: the import CTEs that
    customer_rfm and customer_rfm_history join scores to. -#}
{% macro rfm_segment_lookup_ctes(segment_scheme) -%}
segment_cells as (

    select * from {{ ref('int_segment_map_expanded_to_cells') }}
    where
        segment_scheme = {{ rfm_string_literal(segment_scheme) }}
        and rfm_bins = {{ rfm_bins() }}

),

segment_definitions as (

    select * from {{ ref('rfm_segment_definitions') }}
    where segment_scheme = {{ rfm_string_literal(segment_scheme) }}

)
{%- endmacro %}


{#- The date `steps` history intervals before `date` (var history_interval), as a date. Each date is computed
    from the same anchor, so month ends do not drift (2026-03-31 -> 2026-02-28 -> 2026-01-31). -#}
{% macro rfm_history_date_back(date, steps) -%}
    {{ return(adapter.dispatch('rfm_history_date_back', 'rfm')(date, steps)) }}
{%- endmacro %}


{% macro default__rfm_history_date_back(date, steps) -%}
    {%- set date_part, size = rfm_history_interval() -%}
    {%- if date_part == 'week' -%}
        cast({{ date }} - to_weeks(cast({{ size }} * ({{ steps }}) as integer)) as date)
    {%- else -%}
        cast({{ date }} - to_months(cast({{ size }} * ({{ steps }}) as integer)) as date)
    {%- endif -%}
{%- endmacro %}


{#- Spark: add_months clamps to the month's last day as DuckDB's interval arithmetic does. -#}
{% macro spark__rfm_history_date_back(date, steps) -%}
    {%- set date_part, size = rfm_history_interval() -%}
    {%- if date_part == 'week' -%}
        date_sub({{ date }}, 7 * {{ size }} * ({{ steps }}))
    {%- else -%}
        add_months({{ date }}, -{{ size }} * ({{ steps }}))
    {%- endif -%}
{%- endmacro %}


{#- What Hughes' measures are made of, from transactions (stg_transactions' columns): a purchase is amount >= 0,
    a refund lowers monetary but is no purchase. The select-list of every aggregation of transactions, so
    the definition lives in one place. -#}
{% macro rfm_transaction_totals() -%}
        min(case when not is_refund then transaction_at end) as first_purchase_at,
        max(case when not is_refund then transaction_at end) as last_purchase_at,
        count(case when not is_refund then 1 end) as frequency,
        count(case when is_refund then 1 end) as refunds,
        sum(amount) as monetary,
        sum(case when not is_refund then amount else 0 end) as purchase_amount
{%- endmacro %}


{#- The same totals rolled up from partial totals (per file, per day): they add up. -#}
{% macro rfm_rolled_up_totals() -%}
        min(first_purchase_at) as first_purchase_at,
        max(last_purchase_at) as last_purchase_at,
        sum(frequency) as frequency,
        sum(refunds) as refunds,
        sum(monetary) as monetary,
        sum(purchase_amount) as purchase_amount
{%- endmacro %}
