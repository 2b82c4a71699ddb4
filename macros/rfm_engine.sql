{#- On-run-start hook: a Spark run says, in dbt's log, what it does differently from DuckDB, so nobody takes a full
    rebuild for an incremental run or looks for a publication that was not written. Root project only (in
    package mode the host project's log is not ours). Renders no SQL. -#}
{% macro rfm_spark_notice() -%}
    {%- if execute and target.type == 'spark' and not rfm_package_mode() -%}
        {{ log(
            "Spark: the incremental models are rebuilt as tables on every run (Parquet tables cannot delete rows),"
            ~ " and rfm_publication, its exposures, the cluster and CLV models are off (dbt-spark runs Python"
            ~ " models only on Databricks): customer_rfm's expected_value is null, and its p_alive and churn_band"
            ~ " come from var clv_parameters (null without it);"
            ~ " README, 'Running on Spark'.",
            info=true
        ) }}
    {%- endif -%}
{%- endmacro %}
