{#- On-run-start hook: every var checked before any node runs, so a bad value fails the invocation in one
    sentence and no SQL runs, whatever --select names (a single model's build would otherwise only check the
    vars that model reads). Each check is the var's own accessor (macros/rfm_vars.sql). Renders no SQL. -#}
{% macro rfm_validate_vars() -%}
    {#- Read at parse time too: a var "{{ ref('orders') }}" is rendered here, so this hook depends on that model
        (a ref() first met at run time fails). -#}
    {%- do rfm_transactions_relation() -%}
    {%- if execute -%}
        {#- Installed as a package, the command line's vars are the root project's: not ours to refuse. -#}
        {%- if not rfm_package_mode() -%}
            {%- do rfm_refuse_unknown_vars() -%}
        {%- endif -%}
        {%- do rfm_transactions_relation() -%}
        {%- do rfm_transactions_path() -%}
        {%- do rfm_transactions_columns() -%}
        {%- do rfm_earliest_plausible_date() -%}
        {%- do rfm_latest_plausible_date() -%}
        {%- do rfm_as_of_date() -%}
        {%- do rfm_lookback_days() -%}
        {%- do rfm_bins() -%}
        {%- do rfm_binning() -%}
        {%- do rfm_frequency_unit() -%}
        {%- do rfm_value_8_cut() -%}
        {%- do rfm_clustering() -%}
        {%- do rfm_cluster_features() -%}
        {%- do rfm_cluster_scaling() -%}
        {%- do rfm_cluster_log_features() -%}
        {%- do rfm_cluster_clip_percentile() -%}
        {%- do rfm_cluster_k() -%}
        {%- do rfm_cluster_init() -%}
        {%- do rfm_score_weight('recency') -%}
        {%- do rfm_segment_scheme_name() -%}
        {%- do rfm_history_start_date() -%}
        {%- do rfm_history_interval() -%}
        {%- do rfm_history_snapshots() -%}
        {%- do rfm_clv_settings() -%}
        {%- do rfm_clv_parameters() -%}
        {%- do rfm_missing_id_tokens() -%}
        {%- do rfm_identical_rows() -%}
        {%- do rfm_monetary_measure() -%}
        {%- do rfm_transaction_at_format() -%}
        {%- do rfm_reject_rate_limits() -%}
        {%- do rfm_campaign_contacts_path() -%}
        {%- do rfm_response_window_days() -%}
    {%- endif -%}
{%- endmacro %}


{#- A var the project does not know (a typo such as lookback_day) would be ignored silently, and the build would
    answer another question: refuse it. Only the vars given on the command line are checked; the list is the
    vars in dbt_project.yml. -#}
{% macro rfm_refuse_unknown_vars() -%}
    {%- set known = [
        'transactions_path', 'transactions_relation', 'transactions_columns', 'as_of_date', 'lookback_days', 'earliest_plausible_date',
        'latest_plausible_date', 'missing_id_tokens', 'identical_rows', 'monetary_measure', 'transaction_at_format', 'reject_rate_warn', 'reject_rate_error', 'rfm_bins',
        'rfm_binning', 'frequency_unit', 'value_8_cut', 'rfm_score_weights', 'clustering', 'cluster_features',
        'cluster_scaling', 'cluster_log_features', 'cluster_clip_percentile', 'cluster_k', 'cluster_init', 'segment_scheme', 'history_start_date', 'history_interval', 'history_snapshots',
        'clv_time_unit', 'clv_horizon_days', 'clv_discount_rate', 'clv_churn_high_below', 'clv_churn_medium_below',
        'clv_min_repeat_customers', 'clv_backtest_days', 'clv_backtest_max_error',
        'clv_parameters',
        'campaign_contacts_path', 'response_window_days',
        'rfm_package_mode', 'rfm_static_compile',
    ] -%}
    {%- set given = invocation_args_dict.get('vars') or {} -%}
    {%- set given = fromyaml(given) if given is string else given -%}
    {%- for name in (given.keys() if given is mapping else []) if name not in known -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ name ~ " is not a var of this project (see README, Configuration): "
            ~ (known[:-1] | join(', ')) ~ "."
        ) }}
    {%- endfor -%}
{%- endmacro %}
