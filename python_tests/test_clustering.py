"""Customer clustering: the method (src/rfm_clustering) finds planted clusters and their number, does not
depend on row order, numbers clusters by a stated rule and round-trips its scaling; the cluster marts of a dbt
build are scipy's Ward tree and scikit-learn's k-means, and another row order of the same input gives the same
clusters."""

from __future__ import annotations

import csv
import itertools
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from conftest import MESSY, PROJECT, Build, build_project, query
from rfm.generate import generate
from rfm.project import DbtError
from rfm_clustering import choose_k, cluster, fit_scaling, hash_order, number_clusters
from test_pipeline import cdnow_as_csv

CENTERS = np.array([[0, 0, 0], [10, 0, 0], [0, 10, 0], [0, 0, 10]], dtype=float)


def planted(per_cluster: int = 800, seed: int = 3) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Four well-separated blobs of unequal size: (ids, features, the blob of each row)."""
    generator = np.random.default_rng(seed)
    sizes = [per_cluster, per_cluster // 2, per_cluster // 4, per_cluster // 8]
    truth = np.repeat(np.arange(4), sizes)
    raw = CENTERS[truth] + generator.normal(scale=0.8, size=(len(truth), 3))
    ids = [f"c{index:05d}" for index in generator.permutation(len(truth))]
    return ids, raw, truth


def test_planted_clusters_are_recovered_and_their_number_chosen() -> None:
    ids, raw, truth = planted()
    result = cluster(ids, raw)
    assert result.k == 4
    assert [choice.k for choice in result.criteria] == list(range(2, 10))
    assert adjusted_rand_score(truth[result.order], result.clustering.labels) == 1.0
    # Numbered by size, largest first: blob sizes 800, 400, 200, 100.
    assert np.bincount(result.clustering.labels)[1:].tolist() == [800, 400, 200, 100]
    assert result.tree.shape == (min(len(ids), 2_000) - 1, 4)


def test_the_same_customers_in_another_row_order_get_the_same_clusters() -> None:
    ids, raw, _ = planted(seed=5)
    shuffle = np.random.default_rng(1).permutation(len(ids))
    first = cluster(ids, raw)
    second = cluster([ids[index] for index in shuffle], raw[shuffle])
    by_id = lambda run, names: {  # noqa: E731
        names[i]: label for i, label in zip(run.order, run.clustering.labels, strict=True)
    }
    assert by_id(first, ids) == by_id(second, [ids[index] for index in shuffle])
    # Equal up to the last bits of sums that threads add in any order.
    assert np.allclose(first.clustering.centers, second.clustering.centers, rtol=1e-12, atol=0)
    assert np.allclose(first.tree, second.tree, rtol=1e-12, atol=0)


def test_a_given_k_is_used() -> None:
    ids, raw, _ = planted(seed=7)
    result = cluster(ids, raw, k=2)
    assert result.k == 2 and sorted(set(result.clustering.labels.tolist())) == [1, 2]


def test_self_organising_maps_find_the_planted_clusters_whatever_the_row_order() -> None:
    """init 'som' (the SOM/k-means study): SOMs of k neurons over the hash sample choose k and the starting
    centroids; the planted blobs and their number are found, and another row order gives the same clusters."""
    ids, raw, truth = planted(seed=9)
    result = cluster(ids, raw, init="som")
    assert result.k == 4
    assert adjusted_rand_score(truth[result.order], result.clustering.labels) == 1.0
    shuffle = np.random.default_rng(4).permutation(len(ids))
    shuffled_ids = [ids[index] for index in shuffle]
    again = cluster(shuffled_ids, raw[shuffle], init="som")
    assert dict(zip((ids[i] for i in result.order), result.clustering.labels.tolist(), strict=True)) == dict(
        zip((shuffled_ids[i] for i in again.order), again.clustering.labels.tolist(), strict=True)
    )


def test_som_without_minisom_fails_in_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "minisom", None)  # import minisom now raises ImportError
    ids, raw, _ = planted(per_cluster=80)
    with pytest.raises(ValueError, match=r"^var cluster_init som needs the minisom package: pip install"):
        cluster(ids, raw, init="som")


def test_the_models_order_and_hash_in_sql_as_the_package_does_in_python() -> None:
    """read_inputs sorts by id in DuckDB, and int_customers_sampled_for_clusters orders by DuckDB's md5 of the
    id: the same order as Python's sorted() and the same hashes as hash_order's, for ids of any case and
    script; read_sample reads the sample's points back in their order."""
    import hashlib

    import duckdb

    from rfm_clustering import read_inputs, read_sample

    generator = np.random.default_rng(8)
    alphabet = list("abcXYZ09-_ éüß中文ʼ")
    ids = sorted({"".join(generator.choice(alphabet, size=generator.integers(1, 9))) for _ in range(5_000)})
    connection = duckdb.connect()
    connection.execute("create table customer_rfm (customer_id varchar, as_of_date date, frequency integer)")
    shuffled = [ids[i] for i in generator.permutation(len(ids))]
    connection.executemany(
        "insert into customer_rfm values (?, date '2025-01-01', ?)",
        [(name, len(name)) for name in shuffled],
    )
    connection.execute(
        "create table cluster_scaling as select 1 as feature_position, 'frequency' as feature,"
        " 'minmax' as scaling, false as log_scaled, cast(null as double) as clip_low,"
        " cast(null as double) as clip_high, 0.0 as center, 1.0 as scale,"
        " cast(null as integer) as requested_k, 'ward' as cluster_init"
    )
    inputs = read_inputs(connection.table("cluster_scaling"), connection.table("customer_rfm"))
    assert inputs.ids.to_pylist() == ids
    assert inputs.raw[:, 0].tolist() == [len(name) for name in ids]
    hashes = dict(connection.execute("select customer_id, md5(customer_id) from customer_rfm").fetchall())
    assert hashes == {name: hashlib.md5(name.encode()).hexdigest() for name in ids}
    connection.execute(
        "create table sample as select row_number() over (order by md5(customer_id), customer_id)"
        " as ward_position, customer_id, as_of_date, [cast(frequency as double)] as raw_point"
        " from customer_rfm"
    )
    sampled = read_sample(connection.table("cluster_scaling"), connection.table("sample"))
    assert sampled.ids.to_pylist() == [ids[index] for index in hash_order(ids)]
    assert np.array_equal(sampled.points, inputs.points[hash_order(ids)])


def test_past_the_kmeans_sample_lloyd_settles_on_a_sample_first_and_then_on_everyone() -> None:
    """Past KMEANS_SAMPLE customers (here 300 of 1,500), Lloyd settles first on every m-th customer in id
    order, then over everyone from there: the answer is scikit-learn's KMeans over everyone from the sample's
    settled centroids (computed here without the package), a settled k-means (every customer in its nearest
    centroid, every centroid its customers' mean), and another row order gives the same clusters."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from sklearn.cluster import KMeans

    from rfm_clustering import kmeans

    ids, raw, _ = planted(per_cluster=800, seed=11)
    raw = raw / 4  # overlapping blobs: Lloyd has moves to make after the start
    scaled = fit_scaling(raw, "minmax").apply(raw)
    by_id = np.array(sorted(range(len(ids)), key=ids.__getitem__))
    sample = hash_order(ids)[:2_000]
    cut = fcluster(linkage(scaled[sample], method="ward"), 4, criterion="maxclust")
    start = np.array([scaled[sample][cut == label].mean(axis=0) for label in (1, 2, 3, 4)])
    assert np.allclose(cluster(ids, raw, k=4).clustering.start, start, rtol=1e-12, atol=0)

    points = scaled[by_id]
    two_stage = kmeans(points, start, sample_size=300)
    assert two_stage.sample_iterations > 0
    step = -(-len(points) // 300)  # 5: 300 customers
    warm = KMeans(n_clusters=4, init=start, n_init=1, algorithm="lloyd", tol=0).fit(points[::step])
    reference = KMeans(n_clusters=4, init=warm.cluster_centers_, n_init=1, algorithm="lloyd", tol=0).fit(
        points
    )
    pairs = set(zip(two_stage.labels.tolist(), reference.labels_.tolist(), strict=True))
    assert len(pairs) == len(set(reference.labels_.tolist())) == 4
    # Settled: every customer in its nearest centroid, every centroid its customers' mean.
    nearest = ((points[:, None, :] - two_stage.centers[None, :, :]) ** 2).sum(axis=2).argmin(axis=1) + 1
    assert np.array_equal(nearest, two_stage.labels)
    means = np.array([points[two_stage.labels == label].mean(axis=0) for label in (1, 2, 3, 4)])
    assert np.allclose(means, two_stage.centers, rtol=1e-12, atol=1e-15)

    shuffle = np.random.default_rng(6).permutation(len(ids))
    shuffled = [ids[index] for index in shuffle]
    again_by_id = np.array(sorted(range(len(shuffled)), key=shuffled.__getitem__))
    again_points = fit_scaling(raw[shuffle], "minmax").apply(raw[shuffle])[again_by_id]
    again = kmeans(again_points, start, sample_size=300)
    assert dict(zip((ids[i] for i in by_id), two_stage.labels.tolist(), strict=True)) == dict(
        zip((shuffled[i] for i in again_by_id), again.labels.tolist(), strict=True)
    )


def test_numbering_is_by_size_then_centroid() -> None:
    centers = np.array([[5.0, 0.0], [1.0, 0.0], [3.0, 0.0]])
    labels = np.array([0, 1, 1, 2, 0])
    assert number_clusters(centers, labels) == [1, 0, 2]


@pytest.mark.parametrize("method", ["minmax", "zscore"])
def test_scaling_is_stored_and_round_trips(method: str) -> None:
    raw = np.array([[1.0, 5.0, 7.0], [3.0, 5.0, 9.0], [5.0, 5.0, 20.0]])
    scaling = fit_scaling(raw, method)
    scaled = scaling.apply(raw)
    if method == "minmax":
        assert scaled[:, 0].tolist() == [0.0, 0.5, 1.0]
    else:
        assert np.allclose(scaled[:, [0, 2]].mean(axis=0), 0) and np.allclose(
            scaled[:, [0, 2]].std(axis=0), 1
        )
    assert scaling.scale[1] == 1.0  # a constant feature is not divided by zero
    assert np.allclose(scaling.invert(scaled), raw)
    with pytest.raises(ValueError, match="scaling must be one of minmax, zscore"):
        fit_scaling(raw, "robust")


def test_hash_order_ignores_row_order() -> None:
    ids = ["b", "a", "c", "d"]
    assert [ids[i] for i in hash_order(ids)] == [
        list(reversed(ids))[i] for i in hash_order(list(reversed(ids)))
    ]
    assert choose_k([]) is None


# ---------- the cluster models in a dbt build ----------


def cluster_build(build: Build, transactions: Path, **variables: object) -> Path:
    return build(transactions, clustering=True, **variables)


def ward_then_kmeans(ids: list[str], points: np.ndarray, database: Path) -> tuple[np.ndarray, dict[str, int]]:
    """Independently of src/rfm_clustering: scipy's Ward tree of the hash-ordered sample, cut at the build's
    chosen k, and scikit-learn's KMeans (n_init=1) from that cut's centroids: (the tree, each id's label)."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from sklearn.cluster import KMeans

    sample = hash_order(ids)[:2_000]
    tree = linkage(points[sample], method="ward")
    k = query(database, "select k from marts.cluster_k_selection where is_chosen")[0][0]
    cut = fcluster(tree, k, criterion="maxclust")
    start = np.array([points[sample][cut == label].mean(axis=0) for label in np.unique(cut)])
    by_id = np.array(sorted(range(len(ids)), key=lambda index: ids[index]))
    model = KMeans(n_clusters=len(start), init=start, n_init=1, algorithm="lloyd", tol=0).fit(points[by_id])
    return tree, {ids[index]: int(label) for index, label in zip(by_id, model.labels_, strict=True)}


def same_partition(database: Path, expected: dict[str, int]) -> None:
    """customer_clusters holds the partition `expected` labels, numbered by size (largest first)."""
    actual = dict(query(database, "select customer_id, cluster_id from marts.customer_clusters"))
    assert actual.keys() == expected.keys()
    pairs = set(zip(actual.values(), (expected[name] for name in actual), strict=True))
    assert len(pairs) == len(set(actual.values())) == len(set(expected.values()))
    sizes = query(database, "select cluster_id, count(*) from marts.customer_clusters group by 1 order by 1")
    assert [size for _, size in sizes] == sorted((size for _, size in sizes), reverse=True)


def test_the_cluster_marts_follow_scipy_and_scikit_learn(build: Build, tmp_path: Path) -> None:
    """The study's features on CDNOW: cluster_dendrogram is scipy's Ward linkage of the hash-ordered sample on
    cluster_scaling's scale, and customer_clusters is scikit-learn's KMeans (n_init=1) from that tree's cut,
    numbered by size."""
    features = ["avg_order_value", "frequency", "tenure_days"]
    database = cluster_build(
        build, cdnow_as_csv(tmp_path / "cdnow.csv"), transaction_at_format="%Y%m%d", cluster_features=features
    )
    scaling = query(database, "select center, scale from marts.cluster_scaling order by feature_position")
    rows = query(
        database,
        f"select customer_id, {', '.join(features)} from marts.customer_rfm "
        f"where {' and '.join(f'{name} is not null' for name in features)}",
    )
    ids = [row[0] for row in rows]
    points = (np.array([[float(value) for value in row[1:]] for row in rows]) - [c for c, _ in scaling]) / [
        s for _, s in scaling
    ]
    tree, expected = ward_then_kmeans(ids, points, database)
    dendrogram = query(
        database,
        "select left_node, right_node, height, node_customers from marts.cluster_dendrogram "
        "order by merge_step",
    )
    assert np.allclose(np.array(dendrogram, dtype=float), tree)
    sampled = query(database, "select customer_id from intermediate.int_customers_sampled_for_clusters")
    assert sorted(ids[index] for index in hash_order(ids)[:2_000]) == sorted(row[0] for row in sampled)
    same_partition(database, expected)


def test_clipped_log_scaled_features_and_clusters_over_time(build: Build, tmp_path: Path) -> None:
    """With monetary and frequency log-scaled and every feature clipped at its 5th and 95th percentiles:
    cluster_scaling is the package's fit (numpy's percentiles) and customer_clusters scikit-learn's k-means on
    those points. Over the history, every customer sits at each date in the cluster of today's nearest
    centroid on today's scale, and the migration matrix adds up to each date's clustered customers."""
    features = ["recency_days", "frequency", "monetary"]
    sample = generate(tmp_path / "sample.csv", 12_000, 800, seed=31).path
    database = cluster_build(
        build,
        sample,
        as_of_date="2026-01-01",
        history_start_date="2025-09-01",
        history_interval="month",
        cluster_log_features=["monetary", "frequency"],
        cluster_clip_percentile=95,
    )
    columns = ", ".join(features)
    present = " and ".join(f"{name} is not null" for name in features)
    rows = query(database, f"select customer_id, {columns} from marts.customer_rfm where {present}")
    ids, raw = [row[0] for row in rows], np.array([row[1:] for row in rows], dtype=float)
    fitted = fit_scaling(raw, "minmax", log=[False, True, True], clip_percentile=95)
    stored = query(
        database,
        "select log_scaled, clip_low, clip_high, center, scale from marts.cluster_scaling "
        "order by feature_position",
    )
    assert [row[0] for row in stored] == [False, True, True]
    expected_parameters = np.column_stack([fitted.low, fitted.high, fitted.center, fitted.scale])
    assert np.allclose(np.array([row[1:] for row in stored], dtype=float), expected_parameters, rtol=1e-12)
    _, expected = ward_then_kmeans(ids, fitted.apply(raw), database)
    same_partition(database, expected)

    centroids = np.array(
        query(
            database,
            "select centroid_scaled from marts.cluster_centroids order by cluster_id, feature_position",
        ),
        dtype=float,
    ).reshape(-1, len(features))
    history = query(
        database,
        f"select as_of_date, customer_id, {columns} from marts.customer_rfm_history where {present} "
        "order by as_of_date, customer_id",
    )
    points = fitted.apply(np.array([row[2:] for row in history], dtype=float))
    distances = np.sqrt(((points[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2))
    nearest = {(row[0], row[1]): int(np.argmin(d)) + 1 for row, d in zip(history, distances, strict=True)}
    stored_history = {
        (row[0], row[1]): row[2]
        for row in query(
            database, "select as_of_date, customer_id, cluster_id from marts.customer_clusters_history"
        )
    }
    assert stored_history == nearest
    dates = sorted({date for date, _ in nearest})
    assert len(dates) == 5
    migration = query(
        database,
        "select from_as_of_date, sum(customers) filter (where from_cluster_id is not null), "
        "to_as_of_date, sum(customers) filter (where to_cluster_id is not null) "
        "from marts.cluster_migration group by from_as_of_date, to_as_of_date order by 1",
    )
    per_date = {date: sum(1 for key in nearest if key[0] == date) for date in dates}
    assert [(row[0], row[2]) for row in migration] == list(itertools.pairwise(dates))
    assert all(row[1] == per_date[row[0]] and row[3] == per_date[row[2]] for row in migration)


def test_a_build_with_self_organising_maps_equals_the_package(build: Build, tmp_path: Path) -> None:
    """var cluster_init som: the marts hold what src/rfm_clustering gives on the same customers and stored
    scale, k chosen among the SOMs' partitions, and every data test (each customer in its nearest cluster)
    passes."""
    from rfm_clustering import Scaling

    sample = generate(tmp_path / "sample.csv", 8_000, 600, seed=25).path
    database = cluster_build(build, sample, cluster_init="som")
    assert query(database, "select distinct cluster_init from marts.cluster_scaling") == [("som",)]
    stored = query(database, "select center, scale from marts.cluster_scaling order by feature_position")
    rows = query(
        database,
        "select customer_id, recency_days, frequency, monetary from marts.customer_rfm "
        "where recency_days is not null",
    )
    ids, raw = [row[0] for row in rows], np.array([row[1:] for row in rows], dtype=float)
    scaling = Scaling("minmax", np.array([c for c, _ in stored]), np.array([s for _, s in stored]))
    result = cluster(ids, raw, scaling=scaling, init="som")
    expected = {ids[i]: int(label) for i, label in zip(result.order, result.clustering.labels, strict=True)}
    assert dict(query(database, "select customer_id, cluster_id from marts.customer_clusters")) == expected
    chosen = query(database, "select k from marts.cluster_k_selection where is_chosen")
    assert chosen == [(result.k,)]
    assert [row[0] for row in query(database, "select k from marts.cluster_k_selection order by k")] == [
        choice.k for choice in result.criteria
    ]


def test_the_same_input_in_another_row_order_gives_the_same_clusters(build: Build, tmp_path: Path) -> None:
    """A log without bad or duplicate rows (staging's accepted rows of a sample), built as written and
    shuffled: identical cluster ids, centroids and tree."""
    sample = generate(tmp_path / "sample.csv", 8_000, 600, seed=21).path
    first = cluster_build(build, sample)
    accepted = query(first, "select customer_id, transaction_at, amount from staging.stg_transactions")
    shuffled = [accepted[index] for index in np.random.default_rng(2).permutation(len(accepted))]
    for name, rows in (("ordered.csv", accepted), ("shuffled.csv", shuffled)):
        with (tmp_path / name).open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["customer_id", "transaction_at", "amount"])
            writer.writerows(rows)
    results = []
    for name in ("ordered.csv", "shuffled.csv"):
        database = build_project(tmp_path / f"{name}.duckdb", tmp_path / name, clustering=True, cluster_k=4)
        results.append(
            (
                sorted(query(database, "select customer_id, cluster_id from marts.customer_clusters")),
                query(
                    database, "select * from marts.cluster_centroids order by cluster_id, feature_position"
                ),
                query(database, "select * from marts.cluster_dendrogram order by merge_step"),
            )
        )
    (ids_a, centroids_a, tree_a), (ids_b, centroids_b, tree_b) = results
    assert ids_a == ids_b
    # Means and merge heights: equal up to the last bits of sums taken in another order.
    for a, b in ((centroids_a, centroids_b), (tree_a, tree_b)):
        assert len(a) == len(b)
        for row_a, row_b in zip(a, b, strict=True):
            for value_a, value_b in zip(row_a, row_b, strict=True):
                same = (
                    value_a == pytest.approx(value_b, rel=1e-12)
                    if isinstance(value_a, float)
                    else value_a == value_b
                )
                assert same, (row_a, row_b)
    assert len({cluster for _, cluster in ids_a}) == 4


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"cluster_features": ["recency_days", "segment"]},
            "var cluster_features must list customer_rfm measures",
        ),
        ({"cluster_k": 12}, "var cluster_k must be auto or a whole number from 2 to 9"),
        ({"cluster_scaling": "robust"}, "var cluster_scaling must be one of minmax, zscore"),
        (
            {"cluster_log_features": ["tenure_days"]},
            r"var cluster_log_features must list some of var cluster_features \(recency_days, frequency, "
            r"monetary\), e\.g\. \[monetary\], got \[\"tenure_days\"\]\.",
        ),
        ({"cluster_init": "kohonen"}, "var cluster_init must be one of ward, som"),
        (
            {"cluster_clip_percentile": 100},
            "var cluster_clip_percentile must be a whole number from 51 to 99 or null, got 100.",
        ),
    ],
)
def test_bad_cluster_vars_fail_in_one_sentence(build: Build, variables: dict, message: str) -> None:
    with pytest.raises(DbtError, match=message):
        cluster_build(build, MESSY, **variables)


def test_every_cluster_is_named_by_its_profile(build: Build, tmp_path: Path) -> None:
    """cluster_profiles: the means and high/low levels recomputed from customer_rfm, and the seed's type."""
    sample = generate(tmp_path / "sample.csv", 8_000, 600, seed=23).path
    database = cluster_build(build, sample, cluster_k=5)
    rows = query(
        database,
        "select clusters.cluster_id, customers.recency_days, customers.frequency, customers.monetary "
        "from marts.customer_clusters as clusters "
        "inner join marts.customer_rfm as customers using (customer_id)",
    )
    with (PROJECT / "seeds" / "rfm_cluster_types.csv").open() as handle:
        types = {
            (row["recency_level"], row["frequency_level"], row["monetary_level"]): row["cluster_type"]
            for row in csv.DictReader(handle)
        }
    means = np.array([[float(value) for value in row[1:]] for row in rows]).mean(axis=0)
    expected = {}
    for cluster_id in {row[0] for row in rows}:
        mine = np.array([[float(value) for value in row[1:]] for row in rows if row[0] == cluster_id]).mean(
            axis=0
        )
        levels = (
            "high" if mine[0] < means[0] else "low",
            "high" if mine[1] > means[1] else "low",
            "high" if mine[2] > means[2] else "low",
        )
        expected[cluster_id] = types[levels]
    assert dict(query(database, "select cluster_id, cluster_type from marts.cluster_profiles")) == expected
    assert len(expected) == 5


def test_degenerate_inputs_make_one_cluster_or_the_cuts_the_tree_has() -> None:
    """Fewer than 3 distinct customers: no cut, everyone in cluster 1 (no second centroid). Integer measures
    with tied merge heights: only the k the tree cuts into exactly are offered, and a requested k falls back
    to the nearest of them."""
    same = cluster(["a", "b", "c"], np.array([[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]]))
    assert same.k == 1 and same.criteria == [] and same.clustering.labels.tolist() == [1, 1, 1]
    single = cluster(["a"], np.array([[1.0, 2.0]]))
    assert single.k == 1 and len(single.tree) == 0
    grid = np.array([[x, y] for x in range(4) for y in range(4)] * 3, dtype=float)
    ids = [f"c{index:03d}" for index in range(len(grid))]
    result = cluster(ids, grid)
    for choice in result.criteria:
        assert len(np.unique(result.clustering.labels)) == result.k
        assert choice.k in range(2, 10)
    offered = [choice.k for choice in result.criteria]
    assert choose_k(result.criteria, 9) == max(k for k in offered if k <= 9)
    assert cluster(ids, grid, k=9).k == choose_k(result.criteria, 9)


def test_a_handful_of_customers_builds_with_clustering_on(build: Build) -> None:
    database = cluster_build(build, MESSY, as_of_date="2025-07-01")
    clustered = query(database, "select count(*), count(distinct cluster_id) from marts.customer_clusters")[0]
    assert clustered[0] > 0 and clustered[1] >= 1
