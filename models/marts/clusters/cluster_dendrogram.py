"""Ward's merge steps over the Ward sample (int_customers_sampled_for_clusters: customers in the order of a
hash of their id), as scipy's linkage gives them, so that a BI tool can draw the tree: leaves are nodes
0..n-1 (the sample in that order), merge step i makes node n + i - 1. DuckDB only (dbt-spark runs Python
models only on Databricks)."""

import numpy as np
import pyarrow as pa


def model(dbt, session):
    dbt.config(materialized="table")
    from rfm_clustering import read_sample, ward_tree

    # The 2,000 sampled customers, whatever the customer base; none with var clustering false.
    sampled = read_sample(dbt.ref("cluster_scaling"), dbt.ref("int_customers_sampled_for_clusters"))
    tree = ward_tree(sampled.points)
    leaves = len(sampled.raw)
    return pa.table(
        {
            "merge_step": pa.array(range(1, len(tree) + 1), pa.int32()),
            "left_node": pa.array(tree[:, 0].astype(np.int64)),
            "right_node": pa.array(tree[:, 1].astype(np.int64)),
            "merged_node": pa.array(range(leaves, leaves + len(tree)), pa.int64()),
            "height": pa.array(tree[:, 2], pa.float64()),
            "node_customers": pa.array(tree[:, 3].astype(np.int64)),
        }
    )
