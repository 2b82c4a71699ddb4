"""The publication: every mart written for readers (Parquet files and a serving DuckDB file) under
RFM_PUBLISH_DIR, atomically, as the last node of `dbt build`. dbt runs it after every test upstream and skips
it when anything failed, so a failed build leaves the previous publication as it was
(src/rfm_publication/__init__.py). Its table is the manifest: one row per published mart."""

from rfm_publication import PUBLISHED_MARTS, BuildContext, manifest_sql, publish, publish_dir


def model(dbt, session):
    dbt.config(materialized="table")
    # ref() every published mart (dbt reads these calls without running them, so they are spelled out): dbt
    # then runs this after them and after every test on them.
    dbt.ref("customer_rfm")
    dbt.ref("rfm_segment_summary")
    dbt.ref("rfm_cell_summary")
    dbt.ref("rfm_score_thresholds")
    dbt.ref("customer_rfm_history")
    dbt.ref("segment_migration")
    dbt.ref("segment_trends")
    dbt.ref("revenue_concentration")
    dbt.ref("customer_clusters")
    dbt.ref("cluster_centroids")
    dbt.ref("cluster_profiles")
    dbt.ref("cluster_k_selection")
    dbt.ref("cluster_dendrogram")
    dbt.ref("cluster_scaling")
    dbt.ref("customer_clusters_history")
    dbt.ref("cluster_migration")
    dbt.ref("clv_model_parameters")
    dbt.ref("customer_clv")
    dbt.ref("churn_alerts")
    dbt.ref("clv_backtest")
    # The marts built only with some vars (campaign evaluation); this ref runs after them.
    optional = [name for (name,) in dbt.ref("int_publication_optional_marts").fetchall()]
    invocation_id, run_started_at, transactions_path = dbt.ref("int_build_context").fetchall()[0]
    context = BuildContext(invocation_id, run_started_at, transactions_path)
    target = publish_dir(dbt.config.get("publish_dir"))
    manifest = publish(
        session, dbt.this.database, dbt.this.schema, context, target, (*PUBLISHED_MARTS, *optional)
    )
    return session.sql(manifest_sql(manifest))
