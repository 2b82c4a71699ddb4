{#- P(alive | x, t_x, T) under BG/NBD (Fader, Hardie and Lee 2005, eq. 11) as a SQL expression, on DuckDB and
    Spark alike: 1 / (1 + the odds of having dropped out right after the last purchase), 1 without repeat
    purchases. src/rfm_clv's p_alive is the same formula in numpy (customer_clv); this one scores where a Python
    model cannot run (Spark) and at earlier dates (churn_alerts). Each argument is a SQL expression. -#}
{% macro rfm_bg_nbd_p_alive(r, alpha, a, b, x, t_x, t_cal) -%}
    1.0 / (
        1.0 + case
            when {{ x }} > 0
                then {{ a }} / ({{ b }} + {{ x }} - 1)
                    * power(({{ alpha }} + {{ t_cal }}) / ({{ alpha }} + {{ t_x }}), {{ r }} + {{ x }})
            else 0.0
        end
    )
{%- endmacro %}
