"""One row per clustered customer (customer_rfm's customers with every cluster feature) at the current as-of
date: the cluster, numbered 1..k by size (largest first, ties by centroid), the distance to its centroid and
the margin to the second-nearest one, in scaled units. k-means (Lloyd, scikit-learn, n_init=1) over every
customer, sorted by id, from the centroids of the Ward sample's cut (or its SOM, var cluster_init) at the k
cluster_k_selection chose (past rfm_clustering.KMEANS_SAMPLE customers, settled on a systematic sample first):
deterministic and independent of row order (src/rfm_clustering). DuckDB only (dbt-spark runs Python models
only on Databricks)."""

import numpy as np
import pyarrow as pa


def model(dbt, session):
    dbt.config(materialized="table")
    from rfm_clustering import (
        distances,
        kmeans,
        read_inputs,
        read_sample,
        sample_cuts,
        starting_centroids,
        ward_tree,
    )

    # Sorted by id in SQL, the ids as Arrow strings (never millions of Python objects).
    inputs = read_inputs(dbt.ref("cluster_scaling"), dbt.ref("customer_rfm"))
    sampled = read_sample(dbt.ref("cluster_scaling"), dbt.ref("int_customers_sampled_for_clusters"))
    # The k cluster_k_selection chose (none listed: no cut, one cluster). Reading it also builds this model
    # after that one, which has by then imported scikit-learn.
    chosen = dbt.ref("cluster_k_selection").filter("is_chosen").project("k").fetchall()
    labels, own, margin = np.empty(0, np.int64), np.empty(0), np.empty(0)
    if inputs.features:  # else var clustering false: an empty table
        points, sample_points = inputs.points, sampled.points
        k = chosen[0][0] if chosen else None
        # The sample's partition into k, the one cluster_k_selection measured: the starting centroids.
        cuts = {} if k is None else sample_cuts(sample_points, ward_tree(sample_points), inputs.init)
        result = kmeans(points, starting_centroids(points, sample_points, k, cuts))
        labels = result.labels
        own, margin = distances(points, result.centers, labels)
    return pa.table(
        {
            "customer_id": inputs.ids,
            "as_of_date": inputs.as_of_dates,
            "cluster_id": pa.array(labels, pa.int32()),
            "distance_to_centroid": pa.array(own, pa.float64()),
            # One cluster: no second centroid, null (not NaN).
            "margin_to_second_centroid": pa.array(margin, pa.float64(), from_pandas=True),
        }
    )
