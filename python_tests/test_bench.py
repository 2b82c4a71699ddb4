"""`rfm bench` on a tiny size: every contender runs and is measured, the report is written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import query
from rfm.bench.run import Measurement, measure
from rfm.cli import main


def test_bench_measures_every_contender_and_writes_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "benchmarks.md"
    assert main(["bench", "--sizes", "3000", "--workdir", str(tmp_path / "work"), "--out", str(out)]) == 0
    capsys.readouterr()
    text = out.read_text()
    row = next(line for line in text.splitlines() if line.startswith("| 3,000 |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[:2] == ["3,000", "150"]
    measured = r"[\d,.]+ s \(CPU [\d,.]+ s\) / [\d,]+ MB"  # wall (CPU) / peak memory
    for cell in cells[2:6]:  # build, floor, polars, pandas
        assert re.fullmatch(measured, cell), cell
    assert re.fullmatch(r"\d+\.\d\dx", cells[6]) and re.fullmatch(r"\d+\.\d\dx", cells[7])
    assert re.fullmatch(measured, cells[8]), cells[8]  # the incremental build ran
    assert re.fullmatch(r"\d+\.\d\dx", cells[9])
    # The incremental build read only the new file.
    loads = query(
        tmp_path / "work" / "build_3000.duckdb",
        "select source_file, load_action from staging.stg_transaction_file_loads "
        "order by loaded_at, source_file",
    )
    assert [(Path(name).name, action) for name, action in loads] == [
        ("part-0000.parquet", "load"),
        ("part-0001.parquet", "load"),
    ]
    assert "2 cores" in text or "cores" in text
    for peer in ("polars", "pandas"):
        assert (tmp_path / "work" / f"{peer}_3000.log").read_text().strip() == "150"  # every customer scored


def test_measure_reports_failure_and_memory(tmp_path: Path) -> None:
    grow = measure(["python3", "-c", "x = bytearray(200 * 2**20); print(len(x))"], tmp_path / "ok.log")
    assert grow.seconds is not None and grow.peak_mb is not None and grow.peak_mb >= 200
    assert grow.cpu_seconds is not None and grow.cpu_seconds > 0
    failed = measure(["python3", "-c", "raise SystemExit('no good')"], tmp_path / "bad.log")
    assert failed == Measurement(None, None, "failed: no good")
