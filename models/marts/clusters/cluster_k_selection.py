"""Choosing k: for k = 2..9, the criteria of Ward's tree cut into k clusters (var cluster_init ward) or of a
SOM of k neurons (som), over the Ward sample (int_customers_sampled_for_clusters: customers in the order of a
hash of their id, at most rfm_clustering.WARD_SAMPLE), on the scale of cluster_scaling; the k picked: the
largest Calinski-Harabasz index, or var cluster_k (else the nearest k listed). Only the k cut into exactly
are listed: none with under 3 distinct customers (then one cluster). DuckDB only (dbt-spark runs Python
models only on Databricks)."""

import numpy as np
import pyarrow as pa


def model(dbt, session):
    dbt.config(materialized="table")
    from rfm_clustering import choose_k, k_criteria, read_sample, sample_cuts, ward_tree

    # The 2,000 sampled customers, whatever the customer base; none with var clustering false.
    sampled = read_sample(dbt.ref("cluster_scaling"), dbt.ref("int_customers_sampled_for_clusters"))
    criteria, chosen = [], None
    if sampled.features:  # else var clustering false: an empty table
        points = sampled.points
        criteria = k_criteria(points, sample_cuts(points, ward_tree(points), sampled.init))
        chosen = choose_k(criteria, sampled.requested_k)
    return pa.table(
        {
            "k": pa.array([choice.k for choice in criteria], pa.int32()),
            "within_cluster_sum_of_squares": pa.array(
                [choice.within_cluster_sum_of_squares for choice in criteria], pa.float64()
            ),
            "calinski_harabasz": pa.array([choice.calinski_harabasz for choice in criteria], pa.float64()),
            "davies_bouldin": pa.array([choice.davies_bouldin for choice in criteria], pa.float64()),
            "sample_customers": pa.array(np.full(len(criteria), len(sampled.raw)), pa.int64()),
            "is_chosen": pa.array([choice.k == chosen for choice in criteria], pa.bool_()),
        }
    )
