"""One row per clustered customer (customer_rfm's customers with every cluster feature) at the current as-of
date: the cluster, numbered 1..k by size (largest first, ties by centroid), the distance to its centroid and
the margin to the second-nearest one, in scaled units. k-means (Lloyd, scikit-learn, n_init=1) over every
customer, sorted by id, from the centroids of Ward's cut (or the SOM's, var cluster_init) at the chosen k:
deterministic and independent of row order (src/rfm_clustering). DuckDB only (dbt-spark runs Python models
only on Databricks)."""

import numpy as np
import pyarrow as pa


def model(dbt, session):
    dbt.config(materialized="table")
    from rfm_clustering import cluster, distances, read_inputs

    inputs = read_inputs(dbt.ref("cluster_scaling"), dbt.ref("customer_rfm"))
    order, labels = np.empty(0, np.int64), np.empty(0, np.int64)
    own, margin = np.empty(0), np.empty(0)
    if inputs.features:  # else var clustering false: an empty table
        # The same choice cluster_k_selection makes, from the same sample (deterministic).
        result = cluster(
            inputs.ids,
            inputs.raw,
            k=inputs.requested_k,
            scaling=inputs.scaling,
            init=inputs.init,
            sample=inputs.sample,
        )
        order, labels = result.order, result.clustering.labels
        own, margin = distances(inputs.points[order], result.clustering.centers, labels)
    return pa.table(
        {
            "customer_id": pa.array(inputs.ids[order], pa.string()),
            "as_of_date": pa.array(inputs.as_of_dates[order], pa.date32()),
            "cluster_id": pa.array(labels, pa.int32()),
            "distance_to_centroid": pa.array(own, pa.float64()),
            # One cluster: no second centroid, null (not NaN).
            "margin_to_second_centroid": pa.array(margin, pa.float64(), from_pandas=True),
        }
    )
