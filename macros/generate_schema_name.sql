{#- Use the folder's schema name as written (staging, intermediate, marts, seeds) instead of dbt's default
    "<target schema>_<custom schema>", so BI tools read plain `marts.customer_rfm`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
