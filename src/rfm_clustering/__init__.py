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
   the chosen partition of the sample: the final centroids.
5. Clusters are numbered 1..k by size, largest first, ties by centroid (scaled coordinates, ascending), so the
   same data gives the same numbers.

The dbt project imports this package (not the `rfm` CLI), as it does rfm_preflight."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

SCALINGS = ("minmax", "zscore")
#: The k the selection considers.
K_RANGE = range(2, 10)
#: Customers in the Ward sample: Ward needs memory quadratic in it.
WARD_SAMPLE = 2_000
#: Where k and the starting centroids come from: Ward's tree over the sample, or SOMs (the study's way).
INITS = ("ward", "som")
#: SOM training: passes over the sample, and the seed of its one random step (one-feature initialisation).
SOM_EPOCHS = 5
SOM_SEED = 0
#: Lloyd iterations before k-means gives up (it stops as soon as no customer changes cluster).
MAX_ITERATIONS = 1_000


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
        clipped = np.clip(raw, low, high)
        if self.log is None or not self.log.any():
            return clipped
        return np.where(self.log, np.sign(clipped) * np.log1p(np.abs(clipped)), clipped)

    def apply(self, raw: np.ndarray) -> np.ndarray:
        return (self.transform(raw) - self.center) / self.scale

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
    """scipy's Ward linkage matrix: per merge, the two nodes, the height and the size of the new node."""
    from scipy.cluster.hierarchy import linkage

    return linkage(points, method="ward")


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
    """Final centroids (scaled) numbered 1..k in row order, each customer's cluster (1..k), and the Ward
    starting centroids the k-means began from (numbered as in the cut)."""

    centers: np.ndarray
    labels: np.ndarray
    start: np.ndarray
    iterations: int


def kmeans(points: np.ndarray, start: np.ndarray) -> Clustering:
    """Lloyd's k-means from `start` (n_init=1: no random starts), clusters renumbered by `number_clusters`."""
    from sklearn.cluster import KMeans

    # tol=0: iterate until no customer changes cluster, so each centroid is exactly its customers' mean.
    model = KMeans(
        n_clusters=len(start), init=start, n_init=1, algorithm="lloyd", max_iter=MAX_ITERATIONS, tol=0
    )
    model.fit(points)
    if model.n_iter_ >= MAX_ITERATIONS:
        raise ValueError(
            f"k-means did not settle within {MAX_ITERATIONS:,} iterations: set var cluster_k or other"
            " cluster_features."
        )
    order = number_clusters(model.cluster_centers_, model.labels_)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return Clustering(model.cluster_centers_[order], rank[model.labels_] + 1, start, int(model.n_iter_))


def number_clusters(centers: np.ndarray, labels: np.ndarray) -> list[int]:
    """The clusters' indices in numbering order: size descending, then centroid coordinates ascending."""
    sizes = np.bincount(labels, minlength=len(centers))
    return sorted(range(len(centers)), key=lambda index: (-sizes[index], *centers[index]))


@dataclass(frozen=True)
class Result:
    """Everything one clustering run decides: the scaling, the Ward tree of the sample, the criteria per k,
    the chosen k, the k-means result, and the customers' order (by id) that the result's labels follow."""

    scaling: Scaling
    tree: np.ndarray
    criteria: list[KChoice]
    k: int
    clustering: Clustering
    order: np.ndarray


def sample_tree(
    ids: Sequence[str], points: np.ndarray, sample: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(the Ward sample's indices into `points`, in hash order (`sample` when the caller has it: read_inputs
    takes it from SQL); Ward's tree of their points, empty with fewer than two)."""
    sample = ward_sample(ids) if sample is None else sample
    return sample, ward_tree(points[sample]) if len(sample) > 1 else np.empty((0, 4))


def cluster(
    ids: Sequence[str],
    raw: np.ndarray,
    method: str = "minmax",
    k: int | None = None,
    scaling: Scaling | None = None,
    init: str = "ward",
    sample: np.ndarray | None = None,
) -> Result:
    """Cluster the customers `ids` on their features `raw` (n x d), as the module docstring says; `k` is var
    cluster_k (None: auto); `scaling` (stored parameters) instead of fitting `method` on `raw`; `init` (var
    cluster_init) where k and the starting centroids come from: Ward's tree cuts or SOMs of the sample;
    `sample` the Ward sample's indices when known (ward_sample's answer)."""
    # A stable sort: one pass when the ids come sorted (read_inputs orders them in SQL).
    by_id = np.argsort(np.asarray(ids, dtype=object), kind="stable")
    scaling = scaling or fit_scaling(raw, method)
    points = scaling.apply(raw)
    sample, tree = sample_tree(ids, points, sample)
    cuts = sample_cuts(points[sample], tree, init)
    criteria = k_criteria(points[sample], cuts)
    chosen = choose_k(criteria, k)
    start = points.mean(axis=0, keepdims=True) if chosen is None else centroids(points[sample], cuts[chosen])
    return Result(scaling, tree, criteria, len(start), kmeans(points[by_id], start), by_id)


def distances(points: np.ndarray, centers: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(each point's Euclidean distance to its own center (labels 1..k), the margin to the second-nearest)."""
    # One center at a time: n x k distances, not an n x k x d array.
    all_distances = np.column_stack([np.sqrt(((points - center) ** 2).sum(axis=1)) for center in centers])
    own = all_distances[np.arange(len(points)), labels - 1]
    if len(centers) < 2:
        return own, np.full(len(points), np.nan)
    nearest_two = np.partition(all_distances, 1, axis=1)[:, :2]
    return own, nearest_two[:, 1] - nearest_two[:, 0]


@dataclass(frozen=True)
class Inputs:
    """What the cluster models read: the clustered customers (ids, as-of dates) and their raw features, in the
    order the relation gave them, and the stored scaling."""

    features: list[str]
    ids: np.ndarray
    as_of_dates: np.ndarray
    raw: np.ndarray
    scaling: Scaling
    #: The Ward sample: indices into ids, in hash order (ward_sample's answer, computed in SQL).
    sample: np.ndarray
    #: var cluster_k (None: auto) and var cluster_init, as cluster_scaling stores them.
    requested_k: int | None = None
    init: str = "ward"

    @property
    def points(self) -> np.ndarray:
        return self.scaling.apply(self.raw)


def read_inputs(cluster_scaling: Any, customer_rfm: Any) -> Inputs:
    """From the DuckDB relations dbt.ref() gives a Python model: cluster_scaling (one row per feature) and
    customer_rfm, restricted to the customers with every feature."""
    settings = cluster_scaling.order("feature_position").fetchnumpy()
    features = [str(name) for name in settings["feature"]]
    if not features:  # var clustering false: nobody to cluster
        return Inputs(
            [],
            np.array([], dtype=object),
            np.array([], "datetime64[D]"),
            np.empty((0, 0)),
            Scaling("none", np.empty(0), np.empty(0)),
            np.array([], dtype=np.int64),
        )
    clustered = customer_rfm.filter(" and ".join(f"{name} is not null" for name in features))
    # Sorted by id in SQL (k-means' order), and the Ward sample as hash_order would pick it (md5 of the id,
    # then the id): DuckDB sorts in parallel where Python would hash and sort millions of ids one by one.
    customers = (
        clustered.order("customer_id")
        .project(
            "customer_id, as_of_date, " + ", ".join(f"cast({name} as double) as {name}" for name in features)
        )
        .fetchnumpy()
    )
    ids = np.asarray(customers["customer_id"], dtype=object)
    by_hash = clustered.order("md5(customer_id), customer_id").limit(WARD_SAMPLE)
    sampled = by_hash.project("customer_id").fetchnumpy()
    sample = np.searchsorted(ids, np.asarray(sampled["customer_id"], dtype=object)).astype(np.int64)

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
        ids,
        np.asarray(customers["as_of_date"]),
        np.column_stack([np.asarray(customers[name], float) for name in features]),
        scaling,
        sample,
        None if np.ma.is_masked(requested[0]) else int(requested[0]),
        str(settings["cluster_init"][0]),
    )
