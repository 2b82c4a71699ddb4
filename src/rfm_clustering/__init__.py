"""Deterministic customer clustering (issue 16's method), for the dbt project's Python models: no random
starts and no dependence on row order.

1. Scale each feature: clipped at percentiles and log-scaled when asked, then min-max (the SOM/k-means study)
   or z-score; the parameters are returned so that other dates are scored on the same scale.
2. Ward's hierarchical clustering (scipy) over a sample chosen by a hash of the customer id (so the same
   customers are sampled whatever the row order), sorted by that hash: the tree, and for k = 2..9 its cut.
3. k is chosen by the largest Calinski-Harabasz index of the tree's cuts (sklearn.metrics), or given; a k the
   tree cannot cut into exactly (tied merge heights, too few distinct customers) is not offered, and with no
   cut at all (fewer than 3 distinct customers) everyone is one cluster. With init 'som' (the SOM/k-means
   study), the candidate partitions are self-organising maps of k neurons over the same sample instead.
4. k-means (scikit-learn, Lloyd, n_init=1) over every customer, sorted by id, started from the centroids of
   the chosen partition of the sample: the final centroids. Past KMEANS_SAMPLE customers, Lloyd first settles
   on every m-th customer in id order (about KMEANS_SAMPLE of them) and goes on over everyone from there: the
   result is still k-means over everyone, run until no customer changes cluster.
5. Clusters are numbered 1..k by size, largest first, ties by centroid (scaled coordinates, ascending), so the
   same data gives the same numbers.

The dbt project imports this package (not the `rfm` CLI), as it does rfm_preflight."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

SCALINGS = ("minmax", "zscore")
#: The k the selection considers.
K_RANGE = range(2, 10)
#: Customers in the Ward sample: Ward needs memory quadratic in it. The dbt project's sample
#: (models/intermediate/int_customers_sampled_for_clusters.sql) keeps as many.
WARD_SAMPLE = 2_000
#: Where k and the starting centroids come from: Ward's tree over the sample, or SOMs (the study's way).
INITS = ("ward", "som")
#: SOM training: passes over the sample, and the seed of its one random step (one-feature initialisation).
SOM_EPOCHS = 5
SOM_SEED = 0
#: Lloyd iterations before k-means gives up (it stops as soon as no customer changes cluster).
MAX_ITERATIONS = 1_000
#: Past this many customers, Lloyd first settles on a systematic sample of at most this size (every m-th
#: customer in id order), then goes on over everyone from its centroids: most of the passes that the first
#: moves take are made over the sample, not over millions of customers.
KMEANS_SAMPLE = 100_000
#: Points per block when measuring distances: a block's few vectors stay in the processor's cache.
DISTANCE_BLOCK = 32_768


@dataclass(frozen=True)
class Scaling:
    """Per feature: a raw value is clipped to [low, high] (None: not clipped), taken as
    sign(x) * ln(1 + |x|) where `log`, then scaled = (transformed - center) / scale."""

    method: str
    center: np.ndarray
    scale: np.ndarray
    log: np.ndarray | None = None
    low: np.ndarray | None = None
    high: np.ndarray | None = None

    def transform(self, raw: np.ndarray) -> np.ndarray:
        """Clipped and log-scaled, before centering and scaling."""
        width = raw.shape[1] if raw.ndim == 2 else len(self.center)
        low = np.full(width, -np.inf) if self.low is None else self.low
        high = np.full(width, np.inf) if self.high is None else self.high
        # Without bounds (var cluster_clip_percentile null) nothing to clip: no pass over millions of values.
        clipped = np.clip(raw, low, high) if np.isfinite(low).any() or np.isfinite(high).any() else raw
        if self.log is None or not self.log.any():
            return clipped
        return np.where(self.log, np.sign(clipped) * np.log1p(np.abs(clipped)), clipped)

    def apply(self, raw: np.ndarray) -> np.ndarray:
        scaled = self.transform(raw) - self.center
        scaled /= self.scale  # in place: one array of n x d, not two
        return scaled

    def invert(self, scaled: np.ndarray) -> np.ndarray:
        """Back to raw units (a clipped value comes back as its bound)."""
        transformed = scaled * self.scale + self.center
        if self.log is None or not self.log.any():
            return transformed
        return np.where(self.log, np.sign(transformed) * np.expm1(np.abs(transformed)), transformed)


def fit_scaling(
    raw: np.ndarray, method: str, log: Sequence[bool] | None = None, clip_percentile: float | None = None
) -> Scaling:
    """Min-max to 0..1, or z-scores (population standard deviation), of the values clipped to their
    (100 - p)th and pth percentiles (interpolated, as DuckDB's quantile_cont) and log-scaled where `log` says;
    a constant feature gets scale 1."""
    if method not in SCALINGS:
        raise ValueError(f"scaling must be one of {', '.join(SCALINGS)}, got {method!r}")
    width = raw.shape[1]
    bounds = Scaling(
        method,
        np.zeros(width),
        np.ones(width),
        None if log is None else np.asarray(log, dtype=bool),
        None if clip_percentile is None else np.percentile(raw, 100 - clip_percentile, axis=0),
        None if clip_percentile is None else np.percentile(raw, clip_percentile, axis=0),
    )
    values = bounds.transform(raw)
    if method == "minmax":
        center, spread = values.min(axis=0), values.max(axis=0) - values.min(axis=0)
    else:
        center, spread = values.mean(axis=0), values.std(axis=0)
    return Scaling(method, center, np.where(spread > 0, spread, 1.0), bounds.log, bounds.low, bounds.high)


def hash_order(ids: Sequence[str]) -> np.ndarray:
    """Indices of `ids` in the order of md5(id), then id: independent of the order the rows came in."""
    keys = [(hashlib.md5(str(value).encode()).hexdigest(), str(value)) for value in ids]
    return np.array(sorted(range(len(ids)), key=keys.__getitem__), dtype=np.int64)


def ward_sample(ids: Sequence[str], size: int = WARD_SAMPLE) -> np.ndarray:
    """The first `size` customers in hash order (all of them when there are fewer)."""
    return hash_order(ids)[:size]


def ward_tree(points: np.ndarray) -> np.ndarray:
    """scipy's Ward linkage matrix: per merge, the two nodes, the height and the size of the new node (no
    merge for fewer than two points)."""
    from scipy.cluster.hierarchy import linkage

    return linkage(points, method="ward") if len(points) > 1 else np.empty((0, 4))


def ward_cut(tree: np.ndarray, k: int) -> np.ndarray:
    """Labels 1..k of the tree cut into k clusters."""
    from scipy.cluster.hierarchy import fcluster

    return fcluster(tree, k, criterion="maxclust")


def centroids(points: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The mean of each label's points, in label order."""
    return np.array([points[labels == label].mean(axis=0) for label in np.unique(labels)])


@dataclass(frozen=True)
class KChoice:
    k: int
    within_cluster_sum_of_squares: float
    calinski_harabasz: float | None
    davies_bouldin: float | None


def ward_cuts(points: np.ndarray, tree: np.ndarray, ks: Sequence[int] = K_RANGE) -> dict[int, np.ndarray]:
    """For each k the tree cuts into exactly k clusters (below the number of distinct points), the labels
    1..k of that cut."""
    cuts: dict[int, np.ndarray] = {}
    if len(tree) == 0:
        return cuts
    distinct = len(np.unique(points, axis=0))
    for k in ks:
        if k >= distinct:
            break
        labels = ward_cut(tree, k)
        # Tied merge heights (integer measures) can make the cut hold fewer than k clusters: no k-cut.
        if len(np.unique(labels)) == k:
            cuts[k] = labels
    return cuts


def som_cuts(points: np.ndarray, ks: Sequence[int] = K_RANGE) -> dict[int, np.ndarray]:
    """The SOM/k-means study's way (var cluster_init: som): for each k, a one-row self-organising map of k
    neurons (minisom), started at k of the points drawn with a fixed seed and trained on them in their order,
    SOM_EPOCHS times: the labels 1..k are each
    point's winning neuron. A k whose map leaves a neuron without a point, or not below the number of
    distinct points, is not offered. `points` in hash order: the same customers give the same maps."""
    try:
        from minisom import MiniSom
    except ImportError:
        raise ValueError(
            "var cluster_init som needs the minisom package: pip install 'rfm-segmentation[som]'."
        ) from None
    cuts: dict[int, np.ndarray] = {}
    distinct = len(np.unique(points, axis=0))
    for k in ks:
        if k >= distinct:
            break
        som = MiniSom(1, k, points.shape[1], sigma=1.0, learning_rate=0.5, random_seed=SOM_SEED)
        # Neurons start at k of the points, drawn with the fixed seed (minisom's PCA start needs a map at
        # least 2 x 2 and 2 features).
        som.random_weights_init(points)
        som.train(points, SOM_EPOCHS * len(points), random_order=False)
        weights = som.get_weights().reshape(k, points.shape[1])
        nearest = np.column_stack([((points - weight) ** 2).sum(axis=1) for weight in weights])
        labels = nearest.argmin(axis=1) + 1
        if len(np.unique(labels)) == k:
            cuts[k] = labels
    return cuts


def k_criteria(points: np.ndarray, cuts: dict[int, np.ndarray]) -> list[KChoice]:
    """Each cut's criteria, by k."""
    from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score

    result: list[KChoice] = []
    for k, labels in sorted(cuts.items()):
        centers = centroids(points, labels)
        wcss = float(((points - centers[np.searchsorted(np.unique(labels), labels)]) ** 2).sum())
        result.append(
            KChoice(
                k,
                wcss,
                float(calinski_harabasz_score(points, labels)),
                float(davies_bouldin_score(points, labels)),
            )
        )
    return result


def sample_cuts(points: np.ndarray, tree: np.ndarray, init: str) -> dict[int, np.ndarray]:
    """The candidate partitions of the sample's points: Ward's tree cuts (init 'ward') or SOMs ('som')."""
    if init not in INITS:
        raise ValueError(f"init must be one of {', '.join(INITS)}, got {init!r}")
    return ward_cuts(points, tree) if init == "ward" else som_cuts(points)


def choose_k(criteria: Sequence[KChoice], requested: int | None = None) -> int | None:
    """The k the clusters use, among those the tree can cut into: `requested` (var cluster_k), else the
    largest such k below it, else the smallest above; without a request, the largest Calinski-Harabasz index
    (the smaller k on a tie). None when there is no cut (fewer than 3 distinct customers): one cluster."""
    if not criteria:
        return None
    if requested is not None:
        available = [choice.k for choice in criteria]
        below = [k for k in available if k <= requested]
        return max(below) if below else min(available)
    return max(criteria, key=lambda choice: (choice.calinski_harabasz or 0.0, -choice.k)).k


@dataclass(frozen=True)
class Clustering:
    """Final centroids (scaled) numbered 1..k in row order, each customer's cluster (1..k), the Ward
    starting centroids the k-means began from (numbered as in the cut), Lloyd's iterations over everyone, and
    those over the systematic sample before (0 when there are at most KMEANS_SAMPLE customers)."""

    centers: np.ndarray
    labels: np.ndarray
    start: np.ndarray
    iterations: int
    sample_iterations: int = 0


def lloyd(points: np.ndarray, start: np.ndarray) -> Any:
    """scikit-learn's KMeans fitted from `start`: Lloyd, n_init=1 (no random starts), tol=0 (until no point
    changes cluster, so each centroid is exactly its points' mean); fails past MAX_ITERATIONS."""
    from sklearn.cluster import KMeans

    model = KMeans(
        n_clusters=len(start), init=start, n_init=1, algorithm="lloyd", max_iter=MAX_ITERATIONS, tol=0
    )
    model.fit(points)
    if model.n_iter_ >= MAX_ITERATIONS:
        raise ValueError(
            f"k-means did not settle within {MAX_ITERATIONS:,} iterations: set var cluster_k or other"
            " cluster_features."
        )
    return model


def kmeans(points: np.ndarray, start: np.ndarray, sample_size: int | None = None) -> Clustering:
    """Lloyd's k-means over `points` (in id order) from `start`, clusters renumbered by `number_clusters`.
    With more than `sample_size` points (KMEANS_SAMPLE), Lloyd first settles on every m-th point (m the
    smallest step that leaves at most `sample_size`) and starts the run over everyone from there; either way
    the answer is a settled k-means of every point (each in its nearest centroid, each centroid its points'
    mean), deterministic for points in the same order."""
    sample_size = KMEANS_SAMPLE if sample_size is None else sample_size
    sample_iterations = 0
    if len(points) > sample_size:
        warm = lloyd(points[:: -(-len(points) // sample_size)], start)
        sample_iterations = int(warm.n_iter_)
        model = lloyd(points, warm.cluster_centers_)
    else:
        model = lloyd(points, start)
    order = number_clusters(model.cluster_centers_, model.labels_)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return Clustering(
        model.cluster_centers_[order], rank[model.labels_] + 1, start, int(model.n_iter_), sample_iterations
    )


def number_clusters(centers: np.ndarray, labels: np.ndarray) -> list[int]:
    """The clusters' indices in numbering order: size descending, then centroid coordinates ascending."""
    sizes = np.bincount(labels, minlength=len(centers))
    return sorted(range(len(centers)), key=lambda index: (-sizes[index], *centers[index]))


@dataclass(frozen=True)
class Result:
    """Everything one clustering run decides: the scaling, the Ward tree of the sample, the criteria per k,
    the chosen k, the k-means result, the customers' order (by id) that the result's labels follow, and their
    scaled points in that order."""

    scaling: Scaling
    tree: np.ndarray
    criteria: list[KChoice]
    k: int
    clustering: Clustering
    order: np.ndarray
    points: np.ndarray


def sample_tree(
    ids: Sequence[str], points: np.ndarray, sample: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(the Ward sample's indices into `points`, in hash order (`sample` when the caller has it: read_inputs
    takes it from SQL); Ward's tree of their points, empty with fewer than two)."""
    sample = ward_sample(ids) if sample is None else sample
    return sample, ward_tree(points[sample])


def cluster(
    ids: Sequence[str],
    raw: np.ndarray,
    method: str = "minmax",
    k: int | None = None,
    scaling: Scaling | None = None,
    init: str = "ward",
    sample: np.ndarray | None = None,
    by_id: np.ndarray | None = None,
) -> Result:
    """Cluster the customers `ids` on their features `raw` (n x d), as the module docstring says; `k` is var
    cluster_k (None: auto); `scaling` (stored parameters) instead of fitting `method` on `raw`; `init` (var
    cluster_init) where k and the starting centroids come from: Ward's tree cuts or SOMs of the sample;
    `sample` the Ward sample's indices when known (ward_sample's answer); `by_id` the customers' order by id
    when known (read_inputs sorts in SQL: 0..n-1). With both known, `ids` is not read."""
    if by_id is None:
        by_id = np.argsort(np.asarray(ids, dtype=object), kind="stable")
    scaling = scaling or fit_scaling(raw, method)
    points = scaling.apply(raw)
    sample, tree = sample_tree(ids, points, sample)
    cuts = sample_cuts(points[sample], tree, init)
    criteria = k_criteria(points[sample], cuts)
    chosen = choose_k(criteria, k)
    start = starting_centroids(points, points[sample], chosen, cuts)
    ordered = points[by_id]
    return Result(scaling, tree, criteria, len(start), kmeans(ordered, start), by_id, ordered)


def starting_centroids(
    points: np.ndarray, sample_points: np.ndarray, k: int | None, cuts: dict[int, np.ndarray]
) -> np.ndarray:
    """Where k-means starts: the centroids of the sample's partition into the chosen `k` (its Ward cut or
    SOM, `cuts`), or, with no k (no cut), the mean of every point: one cluster."""
    return points.mean(axis=0, keepdims=True) if k is None else centroids(sample_points, cuts[k])


def distances(points: np.ndarray, centers: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(each point's Euclidean distance to its own center (labels 1..k), the margin to the second-nearest)."""
    own, margin = np.empty(len(points)), np.full(len(points), np.nan)
    # A block of points at a time, small enough to stay in the processor's cache through the k passes below.
    for first in range(0, len(points), DISTANCE_BLOCK):
        block = slice(first, first + DISTANCE_BLOCK)
        own[block], margin[block] = block_distances(points[block], centers, labels[block])
    return own, margin


def block_distances(
    points: np.ndarray, centers: np.ndarray, labels: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """distances() of one block of points."""
    # One feature at a time, keeping only the nearest two squared distances so far: a few vectors in memory,
    # not n x k distances or n x d differences. The squares add up in feature order, as a row's sum adds
    # them, and the square root, which keeps order, is taken of the three that are needed.
    columns = [np.ascontiguousarray(points[:, feature]) for feature in range(points.shape[1])]
    total, difference = np.empty(len(points)), np.empty(len(points))

    def squared_distance(center: np.ndarray) -> np.ndarray:
        total.fill(0.0)
        for column, value in zip(columns, center.T, strict=True):
            np.subtract(column, value, out=difference)
            np.add(total, np.square(difference, out=difference), out=total)
        return total

    own = np.sqrt(squared_distance(centers[labels - 1]))  # each point's own center, row by row
    if len(centers) < 2:
        return own, np.full(len(points), np.nan)
    nearest, second = np.full(len(points), np.inf), np.full(len(points), np.inf)
    for center in centers:
        squared = squared_distance(center)
        np.minimum(second, np.maximum(nearest, squared), out=second)
        np.minimum(nearest, squared, out=nearest)
    return own, np.sqrt(second) - np.sqrt(nearest)


@dataclass(frozen=True)
class Inputs:
    """What the cluster models read: the clustered customers (ids, as-of dates) sorted by id, or the Ward
    sample in hash order, their raw features, and the stored scaling."""

    features: list[str]
    #: pyarrow arrays (read_inputs), so that millions of ids never become Python strings.
    ids: Any
    as_of_dates: Any
    raw: np.ndarray
    scaling: Scaling
    #: var cluster_k (None: auto) and var cluster_init, as cluster_scaling stores them.
    requested_k: int | None = None
    init: str = "ward"

    @property
    def points(self) -> np.ndarray:
        return self.scaling.apply(self.raw)


def read_inputs(cluster_scaling: Any, customer_rfm: Any) -> Inputs:
    """From the DuckDB relations dbt.ref() gives a Python model: cluster_scaling (one row per feature) and
    customer_rfm's customers with every feature, sorted by id (k-means' order) in SQL: DuckDB sorts in
    parallel where Python would sort millions of ids one by one."""
    settings = read_settings(cluster_scaling)
    if not settings.features:  # var clustering false: nobody to cluster
        return settings
    columns = ", ".join(f"cast({name} as double) as {name}" for name in settings.features)
    present = " and ".join(f"{name} is not null" for name in settings.features)
    # Arrow, not numpy: ids stay Arrow strings, and the numbers come out as arrays without Python objects.
    customers = customer_rfm.query(
        "customers",
        f"select customer_id, as_of_date, {columns} from customers where {present} order by customer_id",
    ).to_arrow_table()
    raw = np.empty((customers.num_rows, len(settings.features)))
    for position, name in enumerate(settings.features):
        raw[:, position] = customers[name].to_numpy()
    return replace(
        settings,
        ids=customers["customer_id"].combine_chunks(),
        as_of_dates=customers["as_of_date"].combine_chunks(),
        raw=raw,
    )


def read_sample(cluster_scaling: Any, ward_sample: Any) -> Inputs:
    """The Ward sample (int_customers_sampled_for_clusters: customers and their raw points), in hash order."""
    import pyarrow.compute as pc

    settings = read_settings(cluster_scaling)
    sample = ward_sample.order("ward_position").to_arrow_table()
    width = len(settings.features)
    points = pc.list_flatten(sample["raw_point"]).to_numpy(zero_copy_only=False)
    return replace(
        settings,
        ids=sample["customer_id"].combine_chunks(),
        as_of_dates=sample["as_of_date"].combine_chunks(),
        raw=np.asarray(points, dtype=float).reshape(sample.num_rows, width),
    )


def read_settings(cluster_scaling: Any) -> Inputs:
    """cluster_scaling's features, scaling, var cluster_k and var cluster_init, with nobody read yet."""
    import pyarrow as pa

    settings = cluster_scaling.order("feature_position").fetchnumpy()
    features = [str(name) for name in settings["feature"]]
    nobody = {"ids": pa.array([], pa.string()), "as_of_dates": pa.array([], pa.date32())}
    if not features:  # var clustering false
        return Inputs([], raw=np.empty((0, 0)), scaling=Scaling("none", np.empty(0), np.empty(0)), **nobody)

    def bound(name: str, missing: float) -> np.ndarray:
        # Null (no clipping) arrives masked, or as NaN.
        values = np.ma.filled(np.ma.masked_invalid(np.ma.asarray(settings[name], dtype=float)), missing)
        return np.asarray(values, dtype=float)

    scaling = Scaling(
        str(settings["scaling"][0]),
        np.asarray(settings["center"], float),
        np.asarray(settings["scale"], float),
        np.asarray(settings["log_scaled"], bool),
        bound("clip_low", -np.inf),
        bound("clip_high", np.inf),
    )
    requested = np.ma.asarray(settings["requested_k"])
    return Inputs(
        features,
        raw=np.empty((0, len(features))),
        scaling=scaling,
        requested_k=None if np.ma.is_masked(requested[0]) else int(requested[0]),
        init=str(settings["cluster_init"][0]),
        **nobody,
    )
