"""`rfm bench` on a tiny size: every contender runs and is measured, the report is written."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from conftest import query
from rfm.bench.run import Measurement, disagreement, measure, median
from rfm.cli import main


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
    rows = [line for line in text.splitlines() if line.startswith("| 3,000 |")]
    assert len(rows) == 2
    measured = r"[\d,.]+ s \(CPU [\d,.]+ s\) / [\d,]+ MB"  # wall (CPU) / peak memory
    for row, file_format in zip(rows, ("parquet", "csv"), strict=True):
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells[:3] == ["3,000", "150", f"{file_format}, 1 file"]
        # T0, the floor, polars and pandas (each scored every customer as customer_rfm), the build.
        for cell in cells[3:8]:
            assert re.fullmatch(measured, cell), cell
        assert re.fullmatch(r"\d+\.\d\dx", cells[8]) and re.fullmatch(r"\d+\.\d\dx", cells[9])
        assert re.fullmatch(measured, cells[10]), cells[10]  # the incremental build ran
        assert re.fullmatch(r"\d+\.\d\dx", cells[11])
        assert re.fullmatch(measured, cells[12]), cells[12]  # the naive yardstick, timed and not compared
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
