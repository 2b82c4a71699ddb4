{#- Text with every leading and trailing whitespace or invisible character removed, not just spaces: tabs,
    carriage returns, no-break spaces, zero-width spaces, byte-order marks and other control or format
    characters, which exports leave around ids and which would otherwise make another customer out of 'c1'.
    Characters inside the text are kept. -#}
{% macro rfm_trim_invisible(expression) -%}
    {{ return(adapter.dispatch('rfm_trim_invisible', 'rfm')(expression)) }}
{%- endmacro %}


{#- The code points trimmed: C0 controls and space, DEL, C1 controls, no-break space, soft hyphen, the Arabic
    letter mark, and Unicode's other spaces, zero-width, direction, joiner and invisible-operator marks, the
    byte-order mark and the interlinear annotation marks. (Not the rare language-tag characters, U+E0001 and
    U+E0020-E007F.) -#}
{% macro rfm_invisible_code_points() -%}
    {{ return(
        range(1, 33) | list + [127] + range(128, 161) | list + [173, 1564, 5760, 6158]
        + range(8192, 8208) | list + [8232, 8233] + range(8234, 8240) | list + range(8287, 8304) | list
        + [12288, 65279, 65529, 65530, 65531]
    ) }}
{%- endmacro %}


{#- DuckDB: trim() with a set of characters, the set built with chr() (folded once per query, not per row). -#}
{% macro default__rfm_trim_invisible(expression) -%}
    trim({{ expression }}, {% for code_point in rfm_invisible_code_points() -%}
        chr({{ code_point }}){{ ' || ' if not loop.last }}
    {%- endfor %})
{%- endmacro %}


{#- Spark: trim(both ... from ...) with the set as one literal of \uXXXX escapes. -#}
{% macro spark__rfm_trim_invisible(expression) -%}
    trim(both '{% for code_point in rfm_invisible_code_points() -%}
        {{ '\\u%04x' | format(code_point) }}
    {%- endfor %}' from {{ expression }})
{%- endmacro %}
