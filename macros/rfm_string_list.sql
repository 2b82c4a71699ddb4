{#- A SQL list of string literals; a list that matches nothing when empty. -#}
{% macro rfm_string_list(values) -%}
    {%- if values | length == 0 -%}
        null
    {%- else -%}
        {%- for value in values -%}
            {{ rfm_string_literal(value) }}{{ ', ' if not loop.last }}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
