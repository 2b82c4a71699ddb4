"""`rfm report`, looked at as a person would: opened in headless Chromium, every chart drawn, no script
errors; the screenshot is kept as a CI artifact (artifacts/report.png)."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from conftest import PROJECT, build_project
from rfm.cli import main
from rfm.generate import generate
from rfm.report import value_types

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: Flags for a sandboxed, offline machine (no first-run UI, no background connections that would be refused).
HEADLESS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def publish(work: Path, transactions: Path, **variables: Any) -> Path:
    """Build on `transactions` in `work` and publish to `work`/published; returns that folder."""
    published = work / "published"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RFM_PUBLISH_DIR", str(published))
        build_project(work / "rfm.duckdb", transactions, **variables)
    return published


def write_report(published: Path) -> Path:
    out = published.parent / "report.html"
    assert main(["report", "--published", str(published), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The publication of a build with clusters and a year of monthly history (every chart: the k selection,
    the migration matrix and the trends too)."""
    work = tmp_path_factory.mktemp("report")
    transactions = work / "transactions.csv"
    generate(transactions, transactions=20_000, customers=1_000, seed=3)
    return publish(
        work, transactions, as_of_date="2026-01-01", history_start_date="2025-01-01", clustering=True
    )


@pytest.fixture(scope="module")
def report(published: Path) -> Path:
    return write_report(published)


def read_parquet(published: Path, mart: str, sql: str) -> list[tuple[Any, ...]]:
    """`sql` over the published Parquet file of `mart` (as the view `mart`), not the report's rfm.duckdb."""
    with duckdb.connect() as connection:
        file = published / f"{mart}.parquet"
        connection.execute(f"create view {mart} as select * from read_parquet('{file}')")
        return connection.execute(sql).fetchall()


def section_rows(page: str, title: str) -> list[list[str]]:
    """The cells of every table row in the report's section `title`, header rows included."""
    match = re.search(rf"<h2>{re.escape(title)}</h2>(.*?)</section>", page, re.DOTALL)
    assert match is not None, f"no section {title!r}"
    return [
        re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)
        for row in re.findall(r"<tr>(.*?)</tr>", match.group(1), re.DOTALL)
    ]


def test_the_report_is_self_contained(report: Path) -> None:
    page = report.read_text()
    # Every script and style inline: nothing to fetch, so it opens offline.
    assert not re.search(r"<(script|link|img)\b[^>]*\b(src|href)=", page)
    for heading in (
        "Segments: how many customers",
        "The R x F map",
        "How the scores are spread",
        "Where customers moved",
        "Value types (value_code)",
        "Revenue concentration",
        "Customer clusters",
        "Churn risk and future value",
    ):
        assert heading in page
    assert "Reward them" in page  # the playbook beside the segments


def test_the_segment_table_shows_each_segments_level(report: Path, published: Path) -> None:
    table = section_rows(report.read_text(), "Segments: how many customers, how much revenue")
    assert table[0][:2] == ["Segment", "Level"]
    expected = read_parquet(
        published,
        "rfm_segment_summary",
        "select segment, segment_level from rfm_segment_summary order by segment_priority",
    )
    assert [tuple(row[:2]) for row in table[1:]] == expected
    assert {level for _, level in expected} == {"VIP", "Important", "Basic"}


def test_the_value_types_count_customers_and_revenue_per_value_code(report: Path, published: Path) -> None:
    table = section_rows(report.read_text(), "Value types (value_code)")
    assert table[0] == [
        "Value code (R F M)",
        "Customers who are",
        "Customers",
        "Customers (%)",
        "Revenue",
        "Revenue (%)",
    ]
    assert [row[0] for row in table[1:]] == ["111", "110", "101", "100", "011", "010", "001", "000"]
    assert table[1][1] == "recent, frequent, high spend"
    assert table[-1][1] == "not recent, infrequent, low spend"
    expected = read_parquet(
        published,
        "customer_rfm",
        "select value_code, count(*), sum(monetary), 100 * count(*) / sum(count(*)) over (), "
        "100 * sum(monetary) / sum(sum(monetary)) over () from customer_rfm group by all",
    )
    assert len(expected) > 1  # the check means something: customers of several types
    found = {code: rest for code, *rest in expected}
    for code, _, *numbers in table[1:]:
        if code not in found:
            assert numbers == ["0", "0.00", "0.00", "0.00"]  # an empty type: shown, with nothing in it
            continue
        customers, revenue, customers_percent, revenue_percent = found[code]
        assert numbers == [
            f"{customers:,}",
            f"{customers_percent:,.2f}",
            f"{revenue:,.2f}",
            f"{revenue_percent:,.2f}",
        ]


def test_value_types_lists_every_code_even_empty_ones() -> None:
    types = value_types([{"value_code": "101", "customers": 3, "revenue": Decimal("30.00")}])
    assert [t["value_code"] for t in types] == ["111", "110", "101", "100", "011", "010", "001", "000"]
    assert [t["customers"] for t in types] == [0, 0, 3, 0, 0, 0, 0, 0]
    assert types[2]["customers_percent"] == 100 and types[2]["revenue_percent"] == 100
    assert types[2]["meaning"] == "recent, infrequent, high spend"
    assert all(t["customers"] == 0 for t in value_types([]))


def test_the_revenue_concentration_matches_the_mart(report: Path, published: Path) -> None:
    page = report.read_text()
    ((customers, revenue, gini, *tops),) = read_parquet(
        published,
        "revenue_concentration",
        "select customers, revenue, gini_coefficient, "
        + ", ".join(f"top_{k}_percent_revenue, top_{k}_percent_share" for k in (1, 5, 10, 20))
        + " from revenue_concentration",
    )
    table = section_rows(page, "Revenue concentration")
    assert table[0] == ["Customers by monetary", "Customers", "Revenue", "Share of revenue (%)"]
    for row, k, top_revenue, top_share in zip(table[1:5], (1, 5, 10, 20), tops[::2], tops[1::2], strict=True):
        assert row == [f"Top {k}%", row[1], f"{top_revenue:,.2f}", f"{100 * top_share:,.2f}"]
        # The customers shown are the ones whose revenue the mart sums: the first of customer_rfm by monetary.
        top_customers = int(row[1].replace(",", ""))
        assert read_parquet(
            published,
            "customer_rfm",
            "select sum(monetary) from (select monetary from customer_rfm "
            f"order by monetary desc, customer_id limit {top_customers})",
        ) == [(top_revenue,)]
        assert k * customers / 100 <= top_customers < k * customers / 100 + 1
    assert table[5:] == [
        ["All customers", "All revenue", "Gini coefficient"],
        [f"{customers:,}", f"{revenue:,.2f}", f"{gini:,.2f}"],
    ]
    assert f"The top 20% of customers bring {100 * tops[-1]:.1f}% of revenue (the 20/80 rule" in page
    assert f"The Gini coefficient is {gini:.2f}: 0 when every customer spends the same" in page
    assert 0 < gini < 1 and tops[-1] > 0.2  # a generated shop: revenue more concentrated than customers


def test_the_cluster_section_shows_every_cluster_and_the_chosen_k(report: Path, published: Path) -> None:
    page = report.read_text()
    table = section_rows(page, "Customer clusters")
    profiles = read_parquet(
        published,
        "cluster_profiles",
        "select cluster_id, cluster_type, customers, 100 * customers / sum(customers) over (), "
        "mean_recency_days, mean_frequency, mean_monetary, cluster_strategy from cluster_profiles "
        "order by cluster_id",
    )
    ((k, sample_customers),) = read_parquet(
        published,
        "cluster_k_selection",
        "select k, sample_customers from cluster_k_selection where is_chosen",
    )
    assert len(profiles) == k > 1  # the check means something: several clusters, as many as k says
    assert table[0] == [
        "Cluster",
        "Type",
        "Customers",
        "Share of clustered customers (%)",
        "Mean recency (days)",
        "Mean frequency",
        "Mean monetary",
        "Strategy",
    ]
    assert table[1 : k + 1] == [
        [
            str(cluster_id),
            cluster_type,
            f"{customers:,}",
            *(f"{value:,.2f}" for value in (share, recency, frequency, monetary)),
            html.escape(strategy),
        ]
        for cluster_id, cluster_type, customers, share, recency, frequency, monetary, strategy in profiles
    ]

    # The centroid table: one row per cluster, one column per feature in feature_position order, raw units.
    centroids = read_parquet(
        published,
        "cluster_centroids",
        "select cluster_id, feature, centroid_raw from cluster_centroids "
        "order by cluster_id, feature_position",
    )
    features = list(dict.fromkeys(feature for _, feature, _ in centroids))
    assert features == ["recency_days", "frequency", "monetary"]  # var cluster_features, in its order
    assert table[k + 1] == ["Cluster", "Type", *(f"Centroid: {feature}" for feature in features)]
    types = {cluster_id: cluster_type for cluster_id, cluster_type, *_ in profiles}
    assert table[k + 2 :] == [
        [str(cluster_id), types[cluster_id]]
        + [f"{raw:,.2f}" for other, _, raw in centroids if other == cluster_id]
        for cluster_id in types
    ]

    # The method, with the k the build chose (var cluster_k auto), and its chart, the chosen k marked.
    found = re.search(r"<h2>Customer clusters</h2><p class='how'>(.*?)</p>", page, re.DOTALL)
    assert found is not None
    explanation = html.unescape(found.group(1))
    assert (
        f"Ward's hierarchical clustering of a sample of {sample_customers:,} customers picks the number of "
        "clusters k and the starting centroids; k-means then puts every customer" in explanation
    )
    assert f"k = {k}, the one with the largest Calinski-Harabasz index" in explanation
    assert 'data-chart="cluster_k_selection"' in page
    assert f"chosen k = {k}" in page


def test_the_clv_section_shows_p_alive_by_segment_and_the_backtest(report: Path, published: Path) -> None:
    page = report.read_text()
    expected = read_parquet(
        published,
        "customer_rfm",
        "select segment, count(*), avg(p_alive) from customer_rfm group by segment"
        " order by min(segment_priority), segment",
    )
    rows = section_rows(page, "Churn risk and future value (BG/NBD, Gamma-Gamma)")
    assert rows[0][:3] == ["Segment", "Customers", "Mean P(alive)"]
    assert [(row[0], int(row[1].replace(",", ""))) for row in rows[1:]] == [(s, n) for s, n, _ in expected]
    (calibration, predicted, actual) = read_parquet(
        published,
        "clv_backtest",
        "select calibration_date, predicted_purchases, actual_purchases from clv_backtest"
        " where segment = '(all)'",
    )[0]
    assert (
        f"The backtest fitted on the window to {calibration} and predicted {predicted:,.0f} repeat purchases"
        f" up to 2026-01-01; {actual:,.0f} happened." in page
    )


def test_without_clustering_the_report_has_no_cluster_section(tmp_path: Path) -> None:
    transactions = tmp_path / "transactions.csv"
    generate(transactions, transactions=2_000, customers=200, seed=5)
    published = publish(tmp_path, transactions, as_of_date="2026-01-01", clustering=False)
    assert read_parquet(published, "cluster_profiles", "select count(*) from cluster_profiles") == [(0,)]
    page = write_report(published).read_text()
    assert "Revenue concentration" in page  # the rest of the report is there
    assert "Customer clusters" not in page
    assert "cluster_k_selection" not in page and "Calinski-Harabasz" not in page
    # Segment sizes, the R x F map, the score spread and P(alive) by segment; one as-of date: no migration,
    # no trends, no backtest.
    assert page.count('<div class="chart"') == 4


@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("RFM_REQUIRE_CHROMIUM"),
    reason="Chromium is not installed (.ci/run installs Debian's chromium and requires this test)",
)
def test_the_report_renders_in_chromium(report: Path, tmp_path: Path) -> None:
    assert CHROMIUM is not None, "RFM_REQUIRE_CHROMIUM is set but chromium is not on PATH"
    profile = tmp_path / "profile"
    dom = subprocess.run(
        [
            CHROMIUM,
            *HEADLESS,
            f"--user-data-dir={profile}",
            "--virtual-time-budget=20000",
            "--dump-dom",
            report.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    ).stdout
    body = re.search(r"<body([^>]*)>", dom)
    assert body is not None
    attributes = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', body.group(1)))
    assert json.loads(attributes["errors"].replace("&quot;", '"')) == []
    # Segment sizes, R x F map, score spread, k selection (the build clusters), P(alive) and the backtest,
    # migration, trends.
    assert int(attributes["charts-expected"]) == 7
    assert attributes["charts-rendered"] == attributes["charts-expected"]

    artifacts = PROJECT / "artifacts"
    artifacts.mkdir(exist_ok=True)
    screenshot = artifacts / "report.png"
    subprocess.run(
        [
            CHROMIUM,
            *HEADLESS,
            f"--user-data-dir={profile}",
            "--virtual-time-budget=20000",
            "--window-size=1280,4200",
            f"--screenshot={screenshot}",
            report.as_uri(),
        ],
        capture_output=True,
        timeout=180,
        check=True,
    )
    assert screenshot.stat().st_size > 50_000
