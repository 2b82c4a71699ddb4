{#- What Hughes' measures are made of, from purchases (int_transactions_aggregated_to_purchases' columns): a
    purchase is amount >= 0, a refund lowers monetary but is no purchase; transaction_rows counts the rows
    (order lines) behind them. The select-list of every aggregation of purchases, so the definition lives in
    one place. -#}
{% macro rfm_transaction_totals() -%}
        min(case when not is_refund then transaction_at end) as first_purchase_at,
        max(case when not is_refund then transaction_at end) as last_purchase_at,
        {{ rfm_purchase_count() }} as frequency,
        count(case when is_refund then 1 end) as refunds,
        sum(amount) as monetary,
        sum(case when not is_refund then amount else 0 end) as purchase_amount,
        sum(transaction_rows) as transaction_rows
{%- endmacro %}


{#- What frequency counts (var frequency_unit): purchases, or the days with a purchase. Per day partial totals
    (1 or 0 days) add up; partials that share days do not (rfm_customer_totals_plan recounts instead). -#}
{% macro rfm_purchase_count() -%}
    {%- if rfm_frequency_unit() == 'day' -%}
        count(distinct case when not is_refund then transaction_date end)
    {%- else -%}
        count(case when not is_refund then 1 end)
    {%- endif -%}
{%- endmacro %}


{#- The same totals rolled up from partial totals (per file, per day): they add up. -#}
{% macro rfm_rolled_up_totals() -%}
        min(first_purchase_at) as first_purchase_at,
        max(last_purchase_at) as last_purchase_at,
        sum(frequency) as frequency,
        sum(refunds) as refunds,
        sum(monetary) as monetary,
        sum(purchase_amount) as purchase_amount,
        sum(transaction_rows) as transaction_rows
{%- endmacro %}
