{#- A SQL string literal for any text, quotes included (paths with spaces or quotes work): the one way a
    free-text value (a path, a var, a message) enters SQL. -#}
{% macro rfm_string_literal(value) -%}
    {{ return(adapter.dispatch('rfm_string_literal', 'rfm')(value)) }}
{%- endmacro %}


{% macro default__rfm_string_literal(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}


{#- Spark's literals take backslash escapes: a backslash is doubled, a quote escaped. -#}
{% macro spark__rfm_string_literal(value) -%}
    '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}
