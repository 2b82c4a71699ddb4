{#- An id as text, trimmed of whitespace and invisible characters (rfm_trim_invisible), or null when blank. An
    id stored as a fractional number type (a pandas integer column with gaps becomes DOUBLE) is written as the
    whole number it holds, so 101.0 and '101' are one customer. -#}
{% macro rfm_id_text(name, is_fractional) -%}
    {%- if is_fractional -%}
        nullif(trim(cast(
            case when {{ name }} = floor({{ name }}) then cast(cast({{ name }} as bigint) as {{ dbt.type_string() }})
            else cast({{ name }} as {{ dbt.type_string() }}) end
            as {{ dbt.type_string() }}
        )), '')
    {%- else -%}
        nullif({{ rfm_trim_invisible('cast(' ~ name ~ ' as ' ~ dbt.type_string() ~ ')') }}, '')
    {%- endif -%}
{%- endmacro %}
