{#- money / count, rounded half away from zero to the cent, exactly. DuckDB divides decimals in double
    precision (72.71 / 2 comes back as 36.35 or 36.36 depending on binary representation), and other engines
    divide decimals exactly: integer cents keep every engine on the same cent. null when count is 0. -#}
{% macro rfm_money_divide(money, count) -%}
    {%- set cents = 'cast(abs(' ~ money ~ ') * 100 as bigint)' -%}
    {#- sign() as bigint: Spark's sign returns a double, which would turn the exact cents into a double. -#}
    case
        when {{ count }} > 0 then cast(
            cast(sign({{ money }}) as bigint)
            * {{ rfm_integer_divide('2 * ' ~ cents ~ ' + ' ~ count, '2 * ' ~ count) }}
            * 0.01
            as {{ rfm_money_type() }}
        )
    end
{%- endmacro %}


{% macro rfm_integer_divide(dividend, divisor) -%}
    {{ return(adapter.dispatch('rfm_integer_divide', 'rfm')(dividend, divisor)) }}
{%- endmacro %}


{#- Parenthesised: `a * b div c` would divide the product. Both engines truncate towards zero. -#}
{% macro default__rfm_integer_divide(dividend, divisor) -%}
    (({{ dividend }}) // ({{ divisor }}))
{%- endmacro %}


{% macro spark__rfm_integer_divide(dividend, divisor) -%}
    (({{ dividend }}) div ({{ divisor }}))
{%- endmacro %}
