{#- A column name quoted for SQL, whatever it holds (a mapped name with a quote in it stays one name). -#}
{% macro rfm_quote_identifier(name) -%}
    {{ return(adapter.dispatch('rfm_quote_identifier', 'rfm')(name)) }}
{%- endmacro %}


{% macro default__rfm_quote_identifier(name) -%}
    "{{ name | replace('"', '""') }}"
{%- endmacro %}


{% macro spark__rfm_quote_identifier(name) -%}
    `{{ name | replace('`', '``') }}`
{%- endmacro %}
