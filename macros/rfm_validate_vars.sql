{#- On-run-start hook: every var checked before any node runs, so a bad value fails the invocation in one
    sentence and no SQL runs, whatever --select names (a single model's build would otherwise only check the
    vars that model reads). Each check is the var's own accessor (macros/rfm_vars.sql). Renders no SQL. -#}
{% macro rfm_validate_vars() -%}
    {%- if execute -%}
        {%- do rfm_transactions_path() -%}
        {%- do rfm_transactions_columns() -%}
        {%- do rfm_earliest_plausible_date() -%}
        {%- do rfm_latest_plausible_date() -%}
        {%- do rfm_as_of_date() -%}
        {%- do rfm_lookback_days() -%}
        {%- do rfm_bins() -%}
        {%- do rfm_score_weight('recency') -%}
        {%- do rfm_segment_scheme_name() -%}
        {%- do rfm_history_start_date() -%}
        {%- do rfm_history_interval() -%}
        {%- do rfm_history_snapshots() -%}
        {%- do rfm_missing_id_tokens() -%}
        {%- do rfm_reject_rate_limits() -%}
    {%- endif -%}
{%- endmacro %}
