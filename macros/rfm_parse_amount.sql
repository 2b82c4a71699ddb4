{#- An amount as decimal, or null. try_cast, not dbt.safe_cast: dbt-duckdb renders safe_cast as a plain cast,
    which fails the whole build on 'n/a'. DuckDB and Spark (3.2+) both spell it try_cast. Text is trimmed first
    and must be a plain number (sign, digits, a decimal point, an exponent): DuckDB's cast also reads digit
    groups ('1_000' as 1000), which no export means. Typed columns are parsed as they are. -#}
{% macro rfm_parse_amount(name, is_text, type) -%}
    {%- if is_text -%}
        case when instr({{ name }}, '_') = 0 then try_cast(trim({{ name }}) as {{ type }}) end
    {%- else -%}
        try_cast({{ name }} as {{ type }})
    {%- endif -%}
{%- endmacro %}
