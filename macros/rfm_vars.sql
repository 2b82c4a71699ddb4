{#- Typed, validated access to the project's vars: a bad value fails the build in one sentence. -#}

{#- False while compiling without data (sqlfluff's dbt templater sets var rfm_static_compile): macros that
    look at the input file or the seeds then use their parse-time defaults. -#}
{% macro rfm_can_introspect() -%}
    {{ return(execute and not var('rfm_static_compile', false)) }}
{%- endmacro %}

{% macro rfm_as_of_date() -%}
    {{ return(rfm_date_var('as_of_date')) }}
{%- endmacro %}


{#- A var holding 'YYYY-MM-DD' or null, as text; anything else fails in one sentence. -#}
{% macro rfm_date_var(name) -%}
    {%- set value = var(name) -%}
    {%- if value is none or (value | string | trim) == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set text = value | string | trim -%}
    {%- if not rfm_is_iso_date(text) -%}
        {{ exceptions.raise_compiler_error("var " ~ name ~ " must be a real date written YYYY-MM-DD, got '" ~ text ~ "'.") }}
    {%- endif -%}
    {{ return(text) }}
{%- endmacro %}


{#- First as-of date of the backfilled history, or none (no backfill: each run adds its own as-of date). -#}
{% macro rfm_history_start_date() -%}
    {{ return(rfm_date_var('history_start_date')) }}
{%- endmacro %}


{#- var history_snapshots: keep every run's as-of date in customer_rfm_history (true) or only this run's. -#}
{% macro rfm_history_snapshots() -%}
    {%- set value = var('history_snapshots') -%}
    {%- if value not in (true, false) -%}
        {{ exceptions.raise_compiler_error("var history_snapshots must be true or false, got '" ~ value ~ "'.") }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}


{#- Step between history as-of dates, as (date part, count): week, month or quarter. -#}
{% macro rfm_history_interval() -%}
    {%- set steps = {'week': ('week', 1), 'month': ('month', 1), 'quarter': ('month', 3)} -%}
    {%- set value = var('history_interval') | string | trim | lower -%}
    {%- if value not in steps -%}
        {{ exceptions.raise_compiler_error(
            "var history_interval must be week, month or quarter, got '" ~ var('history_interval') ~ "'."
        ) }}
    {%- endif -%}
    {{ return(steps[value]) }}
{%- endmacro %}


{#- True for a real calendar date 'YYYY-MM-DD' (strptime would raise a stack trace on '2025-02-30'). -#}
{% macro rfm_is_iso_date(text) -%}
    {%- set match = modules.re.match('^([0-9]{4})-([0-9]{2})-([0-9]{2})$', text) -%}
    {%- if not match -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set year, month, day = match.group(1) | int, match.group(2) | int, match.group(3) | int -%}
    {%- set leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 -%}
    {%- set month_days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] -%}
    {{ return(1 <= month <= 12 and 1 <= day <= month_days[month - 1]) }}
{%- endmacro %}


{% macro rfm_positive_int_var(name, minimum, maximum, allow_null) -%}
    {%- set value = var(name) -%}
    {%- if value is none and allow_null -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if value is not number or value != value | int or value < minimum or value > maximum -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ name ~ " must be a whole number from " ~ minimum ~ " to " ~ maximum ~ ", got '" ~ value ~ "'."
        ) }}
    {%- endif -%}
    {{ return(value | int) }}
{%- endmacro %}


{#- Score levels per dimension; at most 9 so that rfm_cell ('535') stays one digit per dimension. -#}
{% macro rfm_max_bins() -%}
    {{ return(9) }}
{%- endmacro %}


{% macro rfm_bins() -%}
    {{ return(rfm_positive_int_var('rfm_bins', 2, rfm_max_bins(), false)) }}
{%- endmacro %}


{#- One transaction's amount: cents, up to 10^16 (8 bytes, fast at 100M rows); more decimals are rounded half
    away from zero. -#}
{% macro rfm_amount_type() -%}
    decimal(18, 2)
{%- endmacro %}


{#- Sums of amounts (monetary, revenue): wide enough that no customer or segment total overflows. -#}
{% macro rfm_money_type() -%}
    decimal(38, 2)
{%- endmacro %}


{% macro rfm_lookback_days() -%}
    {#- Up to 1,000 years of history. -#}
    {{ return(rfm_positive_int_var('lookback_days', 1, 365000, true)) }}
{%- endmacro %}


{% macro rfm_score_weight(dimension) -%}
    {%- set weights = var('rfm_score_weights') -%}
    {%- set weight = weights.get(dimension) if weights is mapping else none -%}
    {%- if weight is not number or weight != weight | int -%}
        {{ exceptions.raise_compiler_error(
            "var rfm_score_weights must give a whole number for each of recency, frequency and monetary, got '" ~ weights ~ "'."
        ) }}
    {%- endif -%}
    {{ return(weights[dimension]) }}
{%- endmacro %}


{#- The numbers 1..n as a relation with one column `score`, written as plain SQL so any engine runs it. -#}
{% macro rfm_score_levels(n) -%}
    {%- for level in range(1, n + 1) %}
    select {{ level }} as score{{ ' union all' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
