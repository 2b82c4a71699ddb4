"""Choosing k: for k = 2..9, the criteria of Ward's tree cut into k clusters (var cluster_init ward) or of a
SOM of k neurons (som), over the Ward sample (customers in the order of a hash of their id, at most
rfm_clustering.WARD_SAMPLE), on the scale of cluster_scaling; the k picked: the largest Calinski-Harabasz
index, or var cluster_k (else the nearest k listed). Only the k cut into exactly are listed: none with under 3
distinct customers (then one cluster). DuckDB only (dbt-spark runs Python models only on Databricks)."""

import numpy as np
import pyarrow as pa


def model(dbt, session):
    dbt.config(materialized="table")
    from rfm_clustering import choose_k, k_criteria, read_inputs, sample_cuts, sample_tree

    # Only the Ward sample, in hash order: 2,000 customers read, whatever the customer base.
    inputs = read_inputs(dbt.ref("cluster_scaling"), dbt.ref("customer_rfm"), ward_sample_only=True)
    criteria, sample, chosen = [], [], None
    if inputs.features:  # else var clustering false: an empty table
        points = inputs.points
        sample, tree = sample_tree(inputs.ids, points, inputs.sample)
        criteria = k_criteria(points[sample], sample_cuts(points[sample], tree, inputs.init))
        chosen = choose_k(criteria, inputs.requested_k)
    return pa.table(
        {
            "k": pa.array([choice.k for choice in criteria], pa.int32()),
            "within_cluster_sum_of_squares": pa.array(
                [choice.within_cluster_sum_of_squares for choice in criteria], pa.float64()
            ),
            "calinski_harabasz": pa.array([choice.calinski_harabasz for choice in criteria], pa.float64()),
            "davies_bouldin": pa.array([choice.davies_bouldin for choice in criteria], pa.float64()),
            "sample_customers": pa.array(np.full(len(criteria), len(sample)), pa.int64()),
            "is_chosen": pa.array([choice.k == chosen for choice in criteria], pa.bool_()),
        }
    )
