{#- Typed, validated access to the project's vars: the only place a var is read. Every accessor checks its
    var's type and allowed values and fails in one sentence; rfm_validate_vars (an on-run-start hook) calls
    them all before any node runs, so a bad value never reaches SQL, whatever --select names. Values that
    become SQL text are returned as dates, whole numbers or checked names; free text goes through
    rfm_string_literal. -#}

{#- False while compiling without data (sqlfluff's dbt templater sets var rfm_static_compile): macros that
    look at the input file or the seeds then use their parse-time defaults. -#}
{% macro rfm_can_introspect() -%}
    {{ return(execute and not var('rfm_static_compile', false)) }}
{%- endmacro %}


{#- var rfm_package_mode: true when this project is installed as a package into another dbt project, whose
    name is then the root project's; null (the default) tells by that name. In package mode the root-only
    parts are off: the file publication (rfm_publication and the exposures that read it), the Spark notice,
    the sample file as the default input and the refusal of --vars this project does not know (they are the
    root project's). The yml configs that switch rfm_publication and the exposures read it raw (no macros
    there): keep them in step. -#}
{% macro rfm_package_mode() -%}
    {%- if var('rfm_package_mode', none) is none -%}
        {{ return(project_name != 'rfm') }}
    {%- endif -%}
    {{ return(rfm_boolean_var('rfm_package_mode')) }}
{%- endmacro %}


{#- How a refused value is shown: text in single quotes, anything else (true, 12, null, a list, a mapping) as
    the JSON it reads as; a boolean is named as one. -#}
{% macro rfm_shown(value) -%}
    {%- if value is string -%}
        {{ return("'" ~ value ~ "'") }}
    {%- elif value is sameas true or value is sameas false -%}
        {{ return((value | tojson) ~ " (a boolean)") }}
    {%- elif value is none -%}
        {{ return('null') }}
    {%- elif value is mapping or value is iterable -%}
        {{ return(value | tojson) }}
    {%- endif -%}
    {{ return(value | string) }}
{%- endmacro %}


{#- A whole number from a var's value, or none: an integer, a finite number equal to one, or text of digits
    ("5", as a shell or scheduler quotes it). A boolean is not a number (YAML's true would pass as 1). -#}
{% macro rfm_as_whole_number(value) -%}
    {%- if value is sameas true or value is sameas false or value is none -%}
        {{ return(none) }}
    {%- elif value is number -%}
        {#- inf and nan would crash int(); nan is the only value not equal to itself. -#}
        {%- if value != value or (value | string | lower) in ['inf', '-inf'] or value != value | int -%}
            {{ return(none) }}
        {%- endif -%}
        {{ return(value | int) }}
    {%- elif value is string and modules.re.match('^\\s*[0-9]{1,9}\\s*$', value) -%}
        {{ return(value | trim | int) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}


{#- A whole number from minimum to maximum (rfm_as_whole_number), failing in one sentence otherwise. -#}
{% macro rfm_whole_number_var(name, minimum, maximum, allow_null=false) -%}
    {%- set value = var(name) -%}
    {%- if value is none and allow_null -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set number = rfm_as_whole_number(value) -%}
    {%- if number is none or number < minimum or number > maximum -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ name ~ " must be a whole number from " ~ minimum ~ " to " ~ maximum
            ~ (" or null" if allow_null else "") ~ ", got " ~ rfm_shown(value) ~ "."
        ) }}
    {%- endif -%}
    {{ return(number) }}
{%- endmacro %}


{#- A share from 0 to 1 (0.05 = 5%): a number, or text of one. -#}
{% macro rfm_share_var(name) -%}
    {%- set value = var(name) -%}
    {%- set ns = namespace(share=none) -%}
    {%- if value is number and value is not sameas true and value is not sameas false and value == value -%}
        {%- set ns.share = value | float -%}
    {%- elif value is string and modules.re.match('^\\s*(0|1|0?\\.[0-9]+|1\\.0*)\\s*$', value) -%}
        {%- set ns.share = value | trim | float -%}
    {%- endif -%}
    {%- if ns.share is none or ns.share < 0 or ns.share > 1 -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ name ~ " must be a share from 0 to 1 (0.05 is 5%), got " ~ rfm_shown(value) ~ "."
        ) }}
    {%- endif -%}
    {{ return(ns.share) }}
{%- endmacro %}


{#- true or false; nothing else (the text 'false' would be truthy in Jinja). -#}
{% macro rfm_boolean_var(name) -%}
    {%- set value = var(name) -%}
    {%- if value is not sameas true and value is not sameas false -%}
        {{ exceptions.raise_compiler_error("var " ~ name ~ " must be true or false, got " ~ rfm_shown(value) ~ ".") }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}


{#- One of `choices` (text, compared trimmed and lowercased). -#}
{% macro rfm_choice_var(name, choices) -%}
    {%- set value = var(name) -%}
    {%- set text = (value | string | trim | lower) if value is string else none -%}
    {%- if text not in choices -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ name ~ " must be one of " ~ (choices | join(', ')) ~ ", got " ~ rfm_shown(value) ~ "."
        ) }}
    {%- endif -%}
    {{ return(text) }}
{%- endmacro %}


{#- A var holding 'YYYY-MM-DD' (text, or a date YAML parsed from an unquoted one) or null, as text; anything
    else fails in one sentence. -#}
{% macro rfm_date_var(name) -%}
    {%- set value = var(name) -%}
    {%- if value is none or (value is string and value | trim == '') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set text = (value | string | trim) if value is not sameas true and value is not sameas false else '' -%}
    {%- if value is number or not rfm_is_iso_date(text) -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ name ~ " must be a real date written YYYY-MM-DD (quoted), got " ~ rfm_shown(value) ~ "."
        ) }}
    {%- endif -%}
    {{ return(text) }}
{%- endmacro %}


{#- True for a real calendar date 'YYYY-MM-DD' from year 1 (strptime would raise a stack trace on '2025-02-30'). -#}
{% macro rfm_is_iso_date(text) -%}
    {%- set match = modules.re.match('^([0-9]{4})-([0-9]{2})-([0-9]{2})$', text) -%}
    {%- if not match -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set year, month, day = match.group(1) | int, match.group(2) | int, match.group(3) | int -%}
    {%- set leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 -%}
    {%- set month_days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] -%}
    {{ return(year >= 1 and 1 <= month <= 12 and 1 <= day <= month_days[month - 1]) }}
{%- endmacro %}


{#- 'YYYY-MM-DD' of the day `days` after the date `text` (for bounds in messages and checks). -#}
{% macro rfm_date_plus_days(text, days) -%}
    {%- set date = modules.datetime.date(text[0:4] | int, text[5:7] | int, text[8:10] | int) -%}
    {{ return((date + modules.datetime.timedelta(days=days)).isoformat()) }}
{%- endmacro %}


{#- ---------- the vars ---------- -#}

{#- Earliest plausible transaction date: older rows are quarantined as implausible_transaction_at. -#}
{% macro rfm_earliest_plausible_date() -%}
    {%- set value = rfm_date_var('earliest_plausible_date') -%}
    {%- if value is none -%}
        {{ exceptions.raise_compiler_error("var earliest_plausible_date must be a date written YYYY-MM-DD, got null.") }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}


{#- Latest plausible transaction date: var latest_plausible_date, or (null) the day after the build runs, in
    UTC (a day of slack for feeds that date by a time zone ahead of UTC). Later rows are quarantined as
    implausible_transaction_at. -#}
{% macro rfm_latest_plausible_date() -%}
    {%- set value = rfm_date_var('latest_plausible_date') -%}
    {%- set latest = value if value is not none else rfm_date_plus_days(run_started_at.strftime('%Y-%m-%d'), 1) -%}
    {%- if latest <= rfm_earliest_plausible_date() -%}
        {{ exceptions.raise_compiler_error(
            "var latest_plausible_date (" ~ latest ~ ") must be after earliest_plausible_date ("
            ~ rfm_earliest_plausible_date() ~ ")."
        ) }}
    {%- endif -%}
    {{ return(latest) }}
{%- endmacro %}


{#- The exclusive as-of date, or none (the day after the latest valid transaction). A date outside the plausible
    range can only be a typo: it would score recency in centuries or nothing at all. -#}
{% macro rfm_as_of_date() -%}
    {%- set value = rfm_date_var('as_of_date') -%}
    {%- if value is not none -%}
        {%- set earliest, latest = rfm_earliest_plausible_date(), rfm_latest_plausible_date() -%}
        {#- The as-of date is exclusive: at most the day after the latest plausible one (compared a day back, so
            that 9999-12-31 stays a date). -#}
        {%- if value <= earliest or rfm_date_plus_days(value, -1) > latest -%}
            {{ exceptions.raise_compiler_error(
                "var as_of_date " ~ value ~ " is outside the plausible range: it must be after earliest_plausible_date ("
                ~ earliest ~ ") and at most the day after latest_plausible_date (" ~ latest ~ ")."
            ) }}
        {%- endif -%}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}


{#- First as-of date of the backfilled history, or none (no backfill: each run adds its own as-of date). -#}
{% macro rfm_history_start_date() -%}
    {%- set value = rfm_date_var('history_start_date') -%}
    {%- if value is not none and value < rfm_earliest_plausible_date() -%}
        {{ exceptions.raise_compiler_error(
            "var history_start_date " ~ value ~ " is before earliest_plausible_date (" ~ rfm_earliest_plausible_date()
            ~ "): no transaction that early is scored."
        ) }}
    {%- endif -%}
    {%- set as_of_date = rfm_as_of_date() -%}
    {%- if value is not none and as_of_date is not none and value >= as_of_date -%}
        {{ exceptions.raise_compiler_error(
            "var history_start_date " ~ value ~ " must be before the as-of date " ~ as_of_date ~ "."
        ) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}


{#- var history_snapshots: keep every run's as-of date in customer_rfm_history (true) or only this run's. -#}
{% macro rfm_history_snapshots() -%}
    {{ return(rfm_boolean_var('history_snapshots')) }}
{%- endmacro %}


{#- Step between history as-of dates, as (date part, count): week, month or quarter. -#}
{% macro rfm_history_interval() -%}
    {%- set steps = {'week': ('week', 1), 'month': ('month', 1), 'quarter': ('month', 3)} -%}
    {{ return(steps[rfm_choice_var('history_interval', ['week', 'month', 'quarter'])]) }}
{%- endmacro %}


{#- Score levels per dimension; at most 9 so that rfm_cell ('535') stays one digit per dimension. -#}
{% macro rfm_max_bins() -%}
    {{ return(9) }}
{%- endmacro %}


{#- Score levels per dimension, as {recency: n, frequency: n, monetary: n}: var rfm_bins is one number for all
    three or such a mapping (SPSS's bin count per dimension), each 2..9. -#}
{% macro rfm_bins() -%}
    {%- set value = var('rfm_bins') -%}
    {%- set dimensions = ['recency', 'frequency', 'monetary'] -%}
    {%- set given = value if value is mapping else {'recency': value, 'frequency': value, 'monetary': value} -%}
    {%- set ns = namespace(valid=(given.keys() | list | sort) == (dimensions | sort)) -%}
    {%- set bins = {} -%}
    {%- for name in dimensions if ns.valid -%}
        {%- set number = rfm_as_whole_number(given[name]) -%}
        {%- if number is none or number < 2 or number > rfm_max_bins() -%}
            {%- set ns.valid = false -%}
        {%- endif -%}
        {%- do bins.update({name: number}) -%}
    {%- endfor -%}
    {%- if not ns.valid -%}
        {{ exceptions.raise_compiler_error(
            "var rfm_bins must be a whole number from 2 to " ~ rfm_max_bins() ~ ", or one for each of recency,"
            ~ " frequency and monetary (e.g. {recency: 5, frequency: 3, monetary: 5}), got " ~ rfm_shown(value) ~ "."
        ) }}
    {%- endif -%}
    {{ return(bins) }}
{%- endmacro %}


{#- rfm_bins as people write it: '5', or 'R5 F3 M5' when the dimensions differ (messages, summaries). -#}
{% macro rfm_bins_label() -%}
    {%- set bins = rfm_bins() -%}
    {%- if bins.recency == bins.frequency == bins.monetary -%}
        {{ return(bins.recency | string) }}
    {%- endif -%}
    {{ return('R' ~ bins.recency ~ ' F' ~ bins.frequency ~ ' M' ~ bins.monetary) }}
{%- endmacro %}


{#- var rfm_binning: 'independent' (each dimension ranks all customers) or 'nested' (F within each R score, M
    within each R-F cell, as SPSS's nested binning). -#}
{% macro rfm_binning() -%}
    {{ return(rfm_choice_var('rfm_binning', ['independent', 'nested'])) }}
{%- endmacro %}


{#- var frequency_unit: what F counts, 'transaction' (each purchase) or 'day' (the days with a purchase, so
    that many same-day top-ups count once). -#}
{% macro rfm_frequency_unit() -%}
    {{ return(rfm_choice_var('frequency_unit', ['transaction', 'day'])) }}
{%- endmacro %}


{#- var clustering: build the cluster models (true) or not. -#}
{% macro rfm_clustering() -%}
    {{ return(rfm_boolean_var('clustering')) }}
{%- endmacro %}


{#- var cluster_features: customer_rfm's numeric measures to cluster on, each once. -#}
{% macro rfm_cluster_features() -%}
    {%- set value = var('cluster_features') -%}
    {%- set allowed = [
        'recency_days', 'frequency', 'refunds', 'monetary', 'avg_order_value', 'tenure_days',
        'avg_days_between_purchases',
    ] -%}
    {%- if value is string or value is mapping or value is not iterable or (value | length) == 0
        or (value | reject('in', allowed) | list | length) > 0 or (value | unique | list | length) != (value | length) -%}
        {{ exceptions.raise_compiler_error(
            "var cluster_features must list customer_rfm measures, each once, from " ~ (allowed | join(', '))
            ~ ", e.g. [avg_order_value, frequency, tenure_days], got " ~ rfm_shown(value) ~ "."
        ) }}
    {%- endif -%}
    {{ return(value | list) }}
{%- endmacro %}


{#- var cluster_scaling: 'minmax' (to 0..1) or 'zscore'. -#}
{% macro rfm_cluster_scaling() -%}
    {{ return(rfm_choice_var('cluster_scaling', ['minmax', 'zscore'])) }}
{%- endmacro %}


{#- var cluster_log_features: the cluster features (of var cluster_features) taken as sign(x) * ln(1 + |x|)
    before scaling, so that a heavy tail (monetary, frequency) does not squash everyone else into one corner. -#}
{% macro rfm_cluster_log_features() -%}
    {%- set value = var('cluster_log_features') -%}
    {%- set features = rfm_cluster_features() -%}
    {%- if value is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- if value is string or value is mapping or value is not iterable
        or (value | reject('in', features) | list | length) > 0 -%}
        {{ exceptions.raise_compiler_error(
            "var cluster_log_features must list some of var cluster_features (" ~ (features | join(', '))
            ~ "), e.g. [monetary], got " ~ rfm_shown(value) ~ "."
        ) }}
    {%- endif -%}
    {{ return(value | unique | list) }}
{%- endmacro %}


{#- var cluster_clip_percentile: null (no clipping) or p from 51 to 99, each cluster feature clipped to its
    (100 - p)th and pth percentiles before scaling, so that a few outliers do not set the scale. -#}
{% macro rfm_cluster_clip_percentile() -%}
    {{ return(rfm_whole_number_var('cluster_clip_percentile', 51, 99, allow_null=true)) }}
{%- endmacro %}


{#- var cluster_init: where k and the starting centroids come from, 'ward' (Ward's tree over a sample) or
    'som' (self-organising maps, as the SOM/k-means study; needs the minisom package). -#}
{% macro rfm_cluster_init() -%}
    {{ return(rfm_choice_var('cluster_init', ['ward', 'som'])) }}
{%- endmacro %}


{#- var cluster_k: none for 'auto', else a whole number 2..9. -#}
{% macro rfm_cluster_k() -%}
    {%- set value = var('cluster_k') -%}
    {%- if value is string and value | trim | lower == 'auto' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set number = rfm_as_whole_number(value) -%}
    {%- if number is none or number < 2 or number > 9 -%}
        {{ exceptions.raise_compiler_error(
            "var cluster_k must be auto or a whole number from 2 to 9, got " ~ rfm_shown(value) ~ "."
        ) }}
    {%- endif -%}
    {{ return(number) }}
{%- endmacro %}


{#- var clv_time_unit: the unit of t_x and T in the CLV models, 'week' (7 days, the published convention) or
    'day'. -#}
{% macro rfm_clv_time_unit() -%}
    {{ return(rfm_choice_var('clv_time_unit', ['week', 'day'])) }}
{%- endmacro %}


{#- The CLV vars a build checks before it starts (the Python models read them raw): the horizon in days, the
    annual discount rate, the churn bands (high at or below medium) and the repeat customers a fit needs. -#}
{% macro rfm_clv_settings() -%}
    {%- set high, medium = rfm_share_var('clv_churn_high_below'), rfm_share_var('clv_churn_medium_below') -%}
    {%- if high > medium -%}
        {{ exceptions.raise_compiler_error(
            "var clv_churn_high_below (" ~ high ~ ") must not be above clv_churn_medium_below (" ~ medium ~ ")."
        ) }}
    {%- endif -%}
    {{ return({
        'time_unit': rfm_clv_time_unit(),
        'horizon_days': rfm_whole_number_var('clv_horizon_days', 1, 3650),
        'discount_rate': rfm_share_var('clv_discount_rate'),
        'churn_high_below': high,
        'churn_medium_below': medium,
        'min_repeat_customers': rfm_whole_number_var('clv_min_repeat_customers', 2, 1000000),
        'backtest_days': rfm_whole_number_var('clv_backtest_days', 1, 3650),
        'backtest_max_error': rfm_share_var('clv_backtest_max_error'),
    }) }}
{%- endmacro %}


{#- var clv_parameters: none (the build fits BG/NBD and Gamma-Gamma), or the seven parameters fitted elsewhere,
    {r, alpha, a, b, p, q, v}, each a positive number: used instead of a fit, on DuckDB and on Spark (where the
    fit, a Python model, cannot run). Returned as a mapping of floats. -#}
{% macro rfm_clv_parameters() -%}
    {%- set given = var('clv_parameters') -%}
    {%- if given is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set names = ['r', 'alpha', 'a', 'b', 'p', 'q', 'v'] -%}
    {%- set ns = namespace(ok=given is mapping and (given.keys() | sort | list) == (names | sort | list)) -%}
    {%- for name in names if ns.ok -%}
        {%- set value = given[name] -%}
        {%- if value is not number or value is sameas true or value is sameas false or value != value
            or (value | string | lower) in ['inf', '-inf'] or value <= 0 -%}
            {%- set ns.ok = false -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not ns.ok -%}
        {{ exceptions.raise_compiler_error(
            "var clv_parameters must be null or give each of r, alpha, a, b (BG/NBD) and p, q, v (Gamma-Gamma)"
            ~ " as a positive number, e.g. {r: 0.243, alpha: 4.414, a: 0.793, b: 2.426, p: 6.25, q: 3.74,"
            ~ " v: 15.44}, got " ~ rfm_shown(given) ~ "."
        ) }}
    {%- endif -%}
    {%- set parameters = {} -%}
    {%- for name in names -%}
        {%- do parameters.update({name: given[name] | float}) -%}
    {%- endfor -%}
    {{ return(parameters) }}
{%- endmacro %}


{#- var value_8_cut: how value_code calls a dimension high, 'score' (above the middle score) or 'mean' (the
    raw measure better than the mean over the customers who bought). -#}
{% macro rfm_value_8_cut() -%}
    {{ return(rfm_choice_var('value_8_cut', ['score', 'mean'])) }}
{%- endmacro %}


{#- One transaction's amount: cents, up to 10^16 (8 bytes, fast at 100M rows); more decimals are rounded half
    away from zero. -#}
{% macro rfm_amount_type() -%}
    decimal(18, 2)
{%- endmacro %}


{#- An order line's quantity and unit price: four decimals (0.085 a unit, 2.5 kg), more are rounded half away
    from zero. Their product, the line's amount, is kept exactly (rfm_exact_sum_type). -#}
{% macro rfm_line_value_type() -%}
    decimal(18, 4)
{%- endmacro %}


{#- Exact sums of amounts before the one rounding to cents (rfm_money_type): a line's quantity x unit price has
    up to 8 decimals. -#}
{% macro rfm_exact_sum_type() -%}
    decimal(38, 8)
{%- endmacro %}


{#- Sums of amounts (monetary, revenue): wide enough that no customer or segment total overflows. -#}
{% macro rfm_money_type() -%}
    decimal(38, 2)
{%- endmacro %}


{% macro rfm_lookback_days() -%}
    {#- Up to 1,000 years of history. -#}
    {{ return(rfm_whole_number_var('lookback_days', 1, 365000, allow_null=true)) }}
{%- endmacro %}


{#- The weight of one dimension in rfm_score, as SQL text: a number from 0 to 1,000,000 with at most 6 decimals
    (AHP weights such as 0.637) for each of recency, frequency and monetary, and nothing else in the mapping. -#}
{% macro rfm_score_weight(dimension) -%}
    {%- set weights = var('rfm_score_weights') -%}
    {%- set dimensions = ['recency', 'frequency', 'monetary'] -%}
    {%- set ns = namespace(valid=weights is mapping and (weights.keys() | list | sort) == (dimensions | sort)) -%}
    {%- set texts = {} -%}
    {%- for name in dimensions if ns.valid -%}
        {%- set weight = weights[name] -%}
        {%- set text = (weight | string | trim) if (weight is number or weight is string)
            and weight is not sameas true and weight is not sameas false else '' -%}
        {#- YAML reads 0.5 as a float whose text is '0.5'; a float in exponent form (1e-07) is refused. -#}
        {%- if not modules.re.match('^[0-9]{1,7}(\\.[0-9]{1,6})?$', text) or text | float > 1000000 -%}
            {%- set ns.valid = false -%}
        {%- endif -%}
        {#- 100.0 is the whole number 100. -#}
        {%- do texts.update({name: modules.re.sub('\\.0+$', '', text)}) -%}
    {%- endfor -%}
    {%- if not ns.valid -%}
        {{ exceptions.raise_compiler_error(
            "var rfm_score_weights must give a number from 0 to 1000000 (at most 6 decimals) for each of recency,"
            ~ " frequency and monetary (and nothing else), e.g. {recency: 100, frequency: 10, monetary: 1}, got "
            ~ rfm_shown(weights) ~ "."
        ) }}
    {%- endif -%}
    {{ return(texts[dimension]) }}
{%- endmacro %}


{#- rfm_score's type: integer while every weight is whole (the default 100/10/1), else an exact decimal. -#}
{% macro rfm_score_type() -%}
    {%- set ns = namespace(whole=true) -%}
    {%- for dimension in ['recency', 'frequency', 'monetary'] if '.' in rfm_score_weight(dimension) -%}
        {%- set ns.whole = false -%}
    {%- endfor -%}
    {{ return('integer' if ns.whole else 'decimal(18, 6)') }}
{%- endmacro %}


{#- The segment scheme's name: a seed value, so it must look like one (letters, digits, underscores) before it
    is quoted into SQL; rfm_segment_scheme checks that the seed has a map for it. -#}
{% macro rfm_segment_scheme_name() -%}
    {%- set value = var('segment_scheme') -%}
    {%- if value is not string or not modules.re.match('^[A-Za-z0-9_]{1,64}$', value | trim) -%}
        {{ exceptions.raise_compiler_error(
            "var segment_scheme must be the name of a scheme in seeds/rfm_segment_map.csv (letters, digits and"
            ~ " underscores, e.g. classic_11), got " ~ rfm_shown(value) ~ "."
        ) }}
    {%- endif -%}
    {{ return(value | trim) }}
{%- endmacro %}


{#- Texts that mean "no id" in exports (compared trimmed and lowercased): such a customer_id is
    missing_customer_id, such a transaction_id is no id (the row is its own transaction). -#}
{% macro rfm_missing_id_tokens() -%}
    {%- set value = var('missing_id_tokens') -%}
    {%- if value is string or value is mapping or value is not iterable
        or (value | reject('string') | list | length) > 0 -%}
        {{ exceptions.raise_compiler_error(
            "var missing_id_tokens must be a list of texts, e.g. ['null', 'none', 'n/a'], got " ~ rfm_shown(value) ~ "."
        ) }}
    {%- endif -%}
    {{ return(value | map('trim') | map('lower') | unique | list) }}
{%- endmacro %}


{#- var transaction_at_format: a strptime format for transaction_at texts, or none (ISO 8601 only). Only the
    directives below, which DuckDB's strptime reads as Python's do: anything else fails here in one sentence,
    not in the middle of a scan. -#}
{% macro rfm_transaction_at_format() -%}
    {%- set value = var('transaction_at_format') -%}
    {%- if value is none -%}
        {{ return(none) }}
    {%- endif -%}
    {#- No %z or %Z: DuckDB would convert to UTC, where an offset is otherwise ignored (wall-clock time). -#}
    {%- set directives = '%[YymdHIMSfpbBjaA%]' -%}
    {%- if value is not string or '%' not in value
        or modules.re.sub(directives, '', value) | select('equalto', '%') | list | length > 0
        or "'" in value -%}
        {{ exceptions.raise_compiler_error(
            "var transaction_at_format must be a strptime format such as '%Y%m%d' or '%m/%d/%Y %H:%M' (directives"
            ~ " %Y %y %m %d %H %I %M %S %f %p %b %B %j %a %A), got " ~ rfm_shown(value) ~ "."
        ) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}


{#- var monetary_measure: the customer_rfm column M scores, 'monetary' (total) or 'avg_order_value' (mean).
    Read raw where a test's argument needs it at parse time (_marts__models.yml); checked on run start. -#}
{% macro rfm_monetary_measure() -%}
    {{ return({'total': 'monetary', 'mean': 'avg_order_value'}[rfm_choice_var('monetary_measure', ['total', 'mean'])]) }}
{%- endmacro %}


{#- var identical_rows: 'keep' (every row counts) or 'reject' (later copies are duplicate_row). -#}
{% macro rfm_identical_rows() -%}
    {{ return(rfm_choice_var('identical_rows', ['keep', 'reject'])) }}
{%- endmacro %}


{#- Contract column -> the file's column, for files with other names. Each value is a column name, used only
    through rfm_quote_identifier. -#}
{% macro rfm_transactions_columns() -%}
    {%- set mapping = var('transactions_columns') -%}
    {%- if mapping is none -%}
        {{ return({}) }}
    {%- endif -%}
    {%- if mapping is not mapping or (mapping.values() | reject('string') | list | length) > 0
        or (mapping.values() | map('trim') | select('equalto', '') | list | length) > 0 -%}
        {{ exceptions.raise_compiler_error(
            "var transactions_columns must map contract columns to your column names, e.g."
            ~ " {customer_id: client_no, amount: net_value}, got " ~ rfm_shown(mapping) ~ "."
        ) }}
    {%- endif -%}
    {%- set contract = rfm_contract_columns() -%}
    {%- for key in mapping if key not in contract -%}
        {{ exceptions.raise_compiler_error(
            "var transactions_columns maps '" ~ key ~ "', which is not a contract column (use one of: "
            ~ (contract.keys() | join(', ')) ~ ")."
        ) }}
    {%- endfor -%}
    {{ return(mapping) }}
{%- endmacro %}


{#- The input as a table or view the target can read, or none: 'schema.table' or 'database.schema.table' (plain
    identifiers), or a Jinja "{{ ref('orders') }}" / "{{ source('shop', 'orders') }}" string (the Fivetran
    convention). dbt renders a var's text in the node that reads it, so such a string arrives here as the
    relation dbt resolved ("db"."schema"."orders", quoted), and that node depends on the model or source: every
    node that reads the input calls this macro at parse time (outside `if execute`), or a runtime ref() fails.
    It is the alternative to transactions_path: both on the command line is refused; beside
    RFM_TRANSACTIONS_PATH (transactions_path's fallback) the relation wins. -#}
{% macro rfm_transactions_relation() -%}
    {%- set value = var('transactions_relation') -%}
    {%- if value is none or (value is string and value | trim == '') -%}
        {{ return(none) }}
    {%- endif -%}
    {#- A part is a plain identifier, or one quoted as DuckDB ("...") or Spark (`...`) quote a rendered ref. -#}
    {%- set part = '([A-Za-z_][A-Za-z0-9_]*|"[^".]+"|`[^`.]+`)' -%}
    {%- if value is not string or not modules.re.match('^' ~ part ~ '(\\.' ~ part ~ '){1,2}$', value | trim) -%}
        {{ exceptions.raise_compiler_error(
            "var transactions_relation must name a table or view as schema.table or database.schema.table, or be"
            ~ " a \"{{ ref('model') }}\" or \"{{ source('source', 'table') }}\" string, got " ~ rfm_shown(value) ~ "."
        ) }}
    {%- endif -%}
    {%- set given = invocation_args_dict.get('vars') or {} -%}
    {%- set given = fromyaml(given) if given is string else given -%}
    {%- if given is mapping and given.get('transactions_path') -%}
        {{ exceptions.raise_compiler_error(
            "Set one input, not both: transactions_relation (" ~ (value | trim) ~ ") or transactions_path."
        ) }}
    {%- endif -%}
    {{ return(value | trim) }}
{%- endmacro %}


{#- Reject-rate guard: (warn, error) shares of rejected rows among the rows a run reads. -#}
{% macro rfm_reject_rate_limits() -%}
    {%- set warn, error = rfm_share_var('reject_rate_warn'), rfm_share_var('reject_rate_error') -%}
    {%- if warn > error -%}
        {{ exceptions.raise_compiler_error(
            "var reject_rate_warn (" ~ warn ~ ") must not be above reject_rate_error (" ~ error ~ ")."
        ) }}
    {%- endif -%}
    {{ return((warn, error)) }}
{%- endmacro %}


{#- The numbers 1..n as a relation with one column `score`, written as plain SQL so any engine runs it. -#}
{% macro rfm_score_levels(n) -%}
    {%- for level in range(1, n + 1) %}
    select {{ level }} as score{{ ' union all' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
