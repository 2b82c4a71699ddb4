"""`rfm bench` on a tiny size: every contender runs and is measured, the report is written; on order lines
(--lines) too, every peer grouping lines into orders as the build does."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import query
from reference import compute
from rfm.bench.run import Measurement, disagreement, floor_statement, literal, measure, median
from rfm.cli import main

MEASURED = r"[\d,.]+ s \(CPU [\d,.]+ s\) / [\d,]+ MB"  # wall (CPU) / peak memory


def assert_every_contender_measured(text: str, inputs: list[str]) -> None:
    """One row per input of 3,000 rows, in order: T0, the floor, polars and pandas (each scored every customer
    as customer_rfm, else the cell says it disagrees), the build, its increment, the scoring and cluster
    models' and the churn and value models' share of the build and the naive yardstick."""
    rows = [line for line in text.splitlines() if line.startswith("| 3,000 |")]
    assert len(rows) == len(inputs)
    for row, described in zip(rows, inputs, strict=True):
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells[:3] == ["3,000", "150", described]
        for cell in cells[3:8]:
            assert re.fullmatch(MEASURED, cell), cell
        assert re.fullmatch(r"\d+\.\d\dx", cells[8]) and re.fullmatch(r"\d+\.\d\dx", cells[9])
        assert re.fullmatch(MEASURED, cells[10]), cells[10]  # the incremental build ran
        assert re.fullmatch(r"\d+\.\d\dx", cells[11])
        # Inside the build: the scoring model and the cluster models, and their ratio.
        assert re.fullmatch(r"[\d,]+\.\d s", cells[12]) and re.fullmatch(r"[\d,]+\.\d s", cells[13]), cells
        assert re.fullmatch(r"\d+\.\d\dx", cells[14]) and re.fullmatch(r"[\d,]+\.\d s", cells[15]), cells
        assert re.fullmatch(MEASURED, cells[16]), cells[16]  # the naive yardstick, timed and not compared


def test_bench_measures_every_contender_and_writes_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "benchmarks.md"
    work = tmp_path / "work"
    arguments = [
        "bench",
        "--sizes",
        "3000",
        "--formats",
        "parquet,csv",
        "--peers",
        "polars,pandas,naive",
        "--workdir",
        str(work),
        "--out",
        str(out),
    ]
    assert main(arguments) == 0
    capsys.readouterr()
    text = out.read_text()
    assert_every_contender_measured(text, ["parquet, 1 file", "csv, 1 file"])
    # The incremental build read only the new file.
    loads = query(
        work / "build_3000_parquet_file.duckdb",
        "select source_file, load_action from staging.stg_transaction_file_loads "
        "order by loaded_at, source_file",
    )
    assert [(Path(name).name, action) for name, action in loads] == [
        ("part-0000.parquet", "load"),
        ("part-0001.parquet", "load"),
    ]
    assert "cores" in text and "load average" in text
    for peer in ("polars", "pandas"):
        assert (work / f"{peer}_3000_csv_file.log").read_text().strip() == "150"  # every customer scored


def test_bench_on_order_lines_every_peer_agrees_with_the_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "benchmarks.md"
    work = tmp_path / "work"
    arguments = ["bench", "--lines", "--sizes", "3000", "--formats", "parquet,csv"]
    arguments += ["--peers", "polars,pandas,naive", "--workdir", str(work), "--out", str(out)]
    assert main(arguments) == 0
    capsys.readouterr()
    text = out.read_text()
    assert_every_contender_measured(text, ["parquet, 1 file of order lines", "csv, 1 file of order lines"])
    assert "Order lines (`--lines`)" in text
    database = work / "build_3000_parquet_file_lines.duckdb"
    # The build read order lines: fewer purchases than accepted lines.
    totals = "intermediate.int_transactions_summed_to_customers"
    [(purchases, lines)] = query(
        database, f"select sum(frequency + refunds), sum(transaction_rows) from {totals}"
    )
    assert 0 < purchases < lines
    # The incremental build read only the new file (new orders, the next day).
    loads = query(
        database,
        "select source_file, load_action from staging.stg_transaction_file_loads"
        " order by loaded_at, source_file",
    )
    assert [(Path(name).name, action) for name, action in loads] == [
        ("part-0000.parquet", "load"),
        ("part-0001.parquet", "load"),
    ]
    for peer in ("polars", "pandas"):
        # Every customer scored.
        assert (work / f"{peer}_3000_csv_file_lines.log").read_text().strip() == "150"


#: Order lines that hit each rule once: c01 and c02 are worth half a cent, rounded up once per customer (per
#: line, 0.00: a tie with c07, one M bin lower); c03's rows have no order_id (each its own purchase; the pair
#: (null, 2) repeats: a duplicate); c04 and c05 share order X, two purchases, and (X, 1) repeats across them;
#: c06's order is dated by its earliest line, then a refund order; c07's order nets 0.00, a purchase; c08's
#: quantity 1_0 is no number; c09's refund order outweighs its purchase (monetary -1.00, the lowest).
EDGE_LINES = """order_id,transaction_id,customer_id,transaction_at,quantity,unit_price
A1,1,c01,2025-06-01 10:00:00,1,0.0025
A2,1,c01,2025-06-02 10:00:00,1,0.0025
B1,1,c02,2025-06-01 10:00:00,1,0.004
B1,2,c02,2025-06-01 10:00:00,1,0.0010
,1,c03,2025-06-03 10:00:00,2,1.00
,2,c03,2025-06-04 10:00:00,2,1.00
,2,c03,2025-06-05 10:00:00,2,1.00
X,1,c04,2025-06-10 10:00:00,1,5.00
X,1,c05,2025-06-11 10:00:00,1,6.00
X,2,c05,2025-06-11 10:00:00,1,6.00
E1,1,c06,2025-06-20 10:00:00,1,7.00
E1,2,c06,2025-06-10 10:00:00,1,7.00
E2,1,c06,2025-06-25 10:00:00,-1,7.00
F1,1,c07,2025-06-15 10:00:00,1,3.00
F1,2,c07,2025-06-15 10:00:00,-1,3.00
G1,1,c08,2025-06-15 10:00:00,1_0,3.00
G1,2,c08,2025-06-16 10:00:00,2,2.50
K1,1,c09,2025-06-12 10:00:00,1,1.00
K2,1,c09,2025-06-13 10:00:00,-1,2.00
I1,1,c10,2025-05-18 10:00:00,1,9.99
"""


def test_the_peers_score_order_lines_as_the_reference_does(tmp_path: Path) -> None:
    """No dbt: the floor, polars and pandas on EDGE_LINES give python_tests/reference.py's scores."""
    lines = tmp_path / "lines.csv"
    lines.write_text(EDGE_LINES)
    _, customers = compute(lines)
    expected = sorted((c.customer_id, c.r_score, c.f_score, c.m_score) for c in customers)
    floor_sql = floor_statement(lines, "csv", lines=True)
    with duckdb.connect() as connection:
        connection.execute(floor_sql)
        scored = {"floor": connection.execute("select * from customer_scores").fetchall()}
    for peer in ("polars", "pandas"):
        out = tmp_path / f"{peer}.parquet"
        subprocess.run(
            [sys.executable, "-m", f"rfm.bench.peer_{peer}", str(lines), "csv", str(out)], check=True
        )
        scored[peer] = duckdb.sql(f"select * from read_parquet({literal(out)})").fetchall()
    assert {name: sorted(rows) for name, rows in scored.items()} == dict.fromkeys(scored, expected)


def test_a_contender_that_disagrees_is_reported_not_timed(tmp_path: Path) -> None:
    database = tmp_path / "build.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create schema marts")
        connection.execute(
            "create table marts.customer_rfm as select * from (values ('a', 1, 2, 3), ('b', 3, 2, 1))"
            " as t(customer_id, r_score, f_score, m_score)"
        )
        connection.execute(f"copy (select * from marts.customer_rfm) to '{tmp_path / 'same.parquet'}'")
        connection.execute(
            "copy (select customer_id, r_score, f_score, 5 as m_score from marts.customer_rfm"
            f" where customer_id = 'a') to '{tmp_path / 'other.parquet'}'"
        )
    assert disagreement(tmp_path / "same.parquet", database) is None
    assert disagreement(tmp_path / "other.parquet", database) == (
        "disagrees with customer_rfm on 2 of 2 customers (not timed)"
    )


def test_the_median_run_is_reported_with_the_range() -> None:
    runs = [
        Measurement(3.0, 10, cpu_seconds=3),
        Measurement(1.0, 20, cpu_seconds=1),
        Measurement(2.0, 30, cpu_seconds=2),
    ]
    assert median(runs) == Measurement(2.0, 30, "median of 3, 1.0-3.0 s", 2)
    assert median([*runs, Measurement(None, None, "failed: x")]).note == "failed: x"


def test_measure_reports_failure_and_memory(tmp_path: Path) -> None:
    grow = measure(["python3", "-c", "x = bytearray(200 * 2**20); print(len(x))"], tmp_path / "ok.log")
    assert grow.seconds is not None and grow.peak_mb is not None and grow.peak_mb >= 200
    assert grow.cpu_seconds is not None and grow.cpu_seconds > 0
    failed = measure(["python3", "-c", "raise SystemExit('no good')"], tmp_path / "bad.log")
    assert failed == Measurement(None, None, "failed: no good")
