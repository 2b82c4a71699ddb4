{#- money / count, rounded half away from zero to the cent, exactly. DuckDB divides decimals in double
    precision (72.71 / 2 comes back as 36.35 or 36.36 depending on binary representation), and other engines
    divide decimals exactly: whole units of the exact sum (10^-8, rfm_exact_sum_type) keep every engine on the
    same cent, also for order lines whose quantity x unit price has more decimals than cents. null when count
    is 0. -#}
{% macro rfm_money_divide(money, count) -%}
    {%- set units = 'cast(abs(cast(' ~ money ~ ' as ' ~ rfm_exact_sum_type() ~ ')) * 100000000 as '
        ~ adapter.dispatch('rfm_wide_integer_type', 'rfm')() ~ ')' -%}
    {%- set per_cent = count ~ ' * 1000000' -%}
    {#- sign() as bigint: Spark's sign returns a double, which would turn the exact cents into a double. -#}
    case
        when {{ count }} > 0 then cast(
            cast(sign({{ money }}) as bigint)
            * {{ rfm_integer_divide('2 * ' ~ units ~ ' + ' ~ per_cent, '2 * ' ~ per_cent) }}
            * 0.01
            as {{ rfm_money_type() }}
        )
    end
{%- endmacro %}


{#- Whole numbers up to 10^38: DuckDB's hugeint; Spark's `div` takes decimals of scale 0 (and returns a long). -#}
{% macro default__rfm_wide_integer_type() -%}
    hugeint
{%- endmacro %}


{% macro spark__rfm_wide_integer_type() -%}
    decimal(38, 0)
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
