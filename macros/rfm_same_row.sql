{#- Join condition: two rows hold the same value in every contract column (identical_rows = 'reject'). The
    optional columns may be null on both sides, which counts as equal. -#}
{% macro rfm_same_row(left, right) -%}
    {{ left }}.customer_id = {{ right }}.customer_id
    and {{ left }}.transaction_at = {{ right }}.transaction_at
    and {{ left }}.amount = {{ right }}.amount
    {%- for name in ['transaction_id', 'order_id', 'quantity', 'unit_price'] %}
    and {{ left }}.{{ name }} is not distinct from {{ right }}.{{ name }}
    {%- endfor %}
{%- endmacro %}
