"""The semantic layer: `mf query` (dbt-metricflow) answers the README's questions, and its numbers are the
marts' own."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import MESSY, MESSY_AS_OF, PROJECT, build_project, query

MF = Path(sys.executable).parent / "mf"


@pytest.fixture(scope="module")
def semantic_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build whose target/semantic_manifest.json mf reads; history makes customers_over_time interesting.
    mf reads the project's target/ whatever DBT_TARGET_PATH says, so this build writes there, not to its
    pytest-xdist worker's folder (this module runs whole on one worker: no other test writes there)."""
    database = tmp_path_factory.mktemp("semantic") / "rfm.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBT_TARGET_PATH", "target")
        return build_project(database, MESSY, as_of_date=MESSY_AS_OF, history_start_date="2025-03-01")


def mf_query(
    database: Path, out: Path, metrics: str, group_by: str, order: bool = True
) -> list[dict[str, str]]:
    """Run `mf query --metrics ... --group-by ... --csv out` against `database` and return the rows."""
    arguments = ["--metrics", metrics, "--group-by", group_by, *(["--order", group_by] if order else [])]
    completed = subprocess.run(
        [str(MF), "query", *arguments, "--csv", str(out)],
        cwd=PROJECT,
        env={**os.environ, "RFM_DUCKDB_PATH": str(database), "DBT_PROFILES_DIR": str(PROJECT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    with out.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_customers_revenue_and_order_value_by_segment(semantic_build: Path, tmp_path: Path) -> None:
    rows = mf_query(
        semantic_build,
        tmp_path / "by_segment.csv",
        "customers,revenue,average_order_value",
        "customer__segment",
    )
    expected = query(
        semantic_build,
        "select segment, count(*), sum(monetary), "
        "sum(avg_order_value * frequency) / nullif(sum(frequency), 0) "
        "from marts.customer_rfm group by segment order by segment",
    )
    assert [row["customer__segment"] for row in rows] == [segment for segment, *_ in expected]
    for row, (_, customers, revenue, order_value) in zip(rows, expected, strict=True):
        assert int(row["customers"]) == customers
        assert Decimal(row["revenue"]) == revenue
        if order_value is None:
            assert row["average_order_value"] in ("", "None")
        else:
            assert abs(float(row["average_order_value"]) - float(order_value)) < 1e-6


def test_customers_and_revenue_by_tier_and_value_code(semantic_build: Path, tmp_path: Path) -> None:
    rows = mf_query(
        semantic_build,
        tmp_path / "by_tier.csv",
        "customers,revenue",
        "customer__segment_level,customer__value_code",
    )
    expected = query(
        semantic_build,
        "select segment_level, value_code, count(*), sum(monetary) from marts.customer_rfm "
        "group by all order by all",
    )
    actual = sorted(
        (
            row["customer__segment_level"],
            row["customer__value_code"],
            int(row["customers"]),
            Decimal(row["revenue"]),
        )
        for row in rows
    )
    assert actual == sorted(expected)


def test_expected_revenue_by_churn_band(semantic_build: Path, tmp_path: Path) -> None:
    """The metric is wired to customer_rfm's expected_value (the fixture's 7 customers are too few for a CLV
    fit, so it is null there: test_clv.py checks the values)."""
    rows = mf_query(semantic_build, tmp_path / "expected.csv", "expected_revenue", "customer__churn_band")
    expected = query(
        semantic_build,
        "select churn_band, sum(expected_value) from marts.customer_rfm group by all order by all",
    )
    assert len(rows) == len(expected)
    for row, (band, value) in zip(rows, expected, strict=True):
        assert row["customer__churn_band"] in (band, "", "None")
        if value is None:
            assert row["expected_revenue"] in ("", "None")
        else:
            assert float(row["expected_revenue"]) == pytest.approx(value, rel=1e-9)


def test_share_of_revenue_adds_up_over_segments(semantic_build: Path, tmp_path: Path) -> None:
    rows = mf_query(
        semantic_build, tmp_path / "share.csv", "share_of_revenue", "segment_row__segment", order=False
    )
    assert len(rows) == query(semantic_build, "select count(*) from marts.rfm_segment_summary")[0][0]
    assert abs(sum(float(row["share_of_revenue"] or 0) for row in rows) - 1) < 1e-9


def test_customers_over_time(semantic_build: Path, tmp_path: Path) -> None:
    rows = mf_query(semantic_build, tmp_path / "over_time.csv", "customers_over_time", "metric_time__day")
    expected = query(
        semantic_build,
        "select as_of_date, count(*) from marts.customer_rfm_history group by all order by all",
    )
    assert [(row["metric_time__day"][:10], int(row["customers_over_time"])) for row in rows] == [
        (str(as_of_date), customers) for as_of_date, customers in expected
    ]
