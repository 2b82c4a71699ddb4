{#- A timestamp, or null. Text must be ISO 8601 (YYYY-MM-DD, optionally a time; an offset is ignored): try_cast
    alone also takes 'infinity', 'epoch' and two-digit years ('25-06-30'), so the fifth character must be the
    date's first dash. Typed values must be finite. Cheaper than a regular expression at 100M rows. With var
    transaction_at_format, text (and an integer such as 19970101) is read with that strptime format instead. -#}
{% macro rfm_parse_timestamp(name, is_text, format=none, is_integer=false) -%}
    {{ return(adapter.dispatch('rfm_parse_timestamp', 'rfm')(name, is_text, format, is_integer)) }}
{%- endmacro %}


{% macro default__rfm_parse_timestamp(name, is_text, format=none, is_integer=false) -%}
    {%- if format is not none and (is_text or is_integer) -%}
        try_strptime(trim(cast({{ name }} as varchar)), '{{ format }}')
    {%- elif is_text -%}
        case when substr(trim({{ name }}), 5, 1) = '-' then try_cast(trim({{ name }}) as timestamp) end
    {%- else -%}
        case when isfinite(try_cast({{ name }} as timestamp)) then try_cast({{ name }} as timestamp) end
    {%- endif -%}
{%- endmacro %}


{#- Spark: the same accepted texts as DuckDB. Its cast would also take '2025-01' and '2025-06-30T10', which
    DuckDB rejects, hence the shape check; and it would apply an offset where DuckDB drops it, hence the cast
    through timestamp_ntz (which ignores a zone). Typed values are always finite on Spark. Its datetime
    patterns are not strptime's, and it parses them differently: transaction_at_format is refused. -#}
{% macro spark__rfm_parse_timestamp(name, is_text, format=none, is_integer=false) -%}
    {%- if format is not none -%}
        {{ exceptions.raise_compiler_error(
            "var transaction_at_format is not supported on Spark yet: convert transaction_at to ISO 8601"
            ~ " (YYYY-MM-DD HH:MM:SS) upstream, or build on DuckDB."
        ) }}
    {%- endif -%}
    {%- if is_text -%}
        case
            when trim({{ name }}) rlike '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}($|[ T][0-9]{1,2}:[0-9]{2})'
                then cast(try_cast(trim({{ name }}) as timestamp_ntz) as timestamp)
        end
    {%- else -%}
        try_cast({{ name }} as timestamp)
    {%- endif -%}
{%- endmacro %}
