{#- An expression that stops the query with `message` (a text expression) as its error: a guard in a model fails
    the build in one sentence at the node that found the problem, and dbt skips everything downstream of it,
    the publication included. Used as `case when <problem> then {{ rfm_raise_error('...') }} end`. The sentence
    is marked "[rfm] " so that `rfm` can tell it from the engine's own errors and print it alone. -#}
{% macro rfm_raise_error(message) -%}
    {{ return(adapter.dispatch('rfm_raise_error', 'rfm')(message)) }}
{%- endmacro %}


{% macro default__rfm_raise_error(message) -%}
    error('[rfm] ' || {{ message }})
{%- endmacro %}


{% macro spark__rfm_raise_error(message) -%}
    raise_error('[rfm] ' || {{ message }})
{%- endmacro %}
