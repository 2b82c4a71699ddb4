"""The publication: every mart for readers, written atomically after a green build, untouched by a failed one,
readable by DuckDB 1.x, and readable while builds run (src/rfm/publish.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from conftest import MESSY, MESSY_AS_OF, build_project, query
from rfm.project import DbtError
from rfm.publish import MANIFEST_FILE, PUBLISHED_MARTS, SERVING_FILE, read_manifest


@pytest.fixture
def published(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "published"
    monkeypatch.setenv("RFM_PUBLISH_DIR", str(target))
    return target


def serving_counts(path: Path) -> dict[str, tuple[int, int]]:
    """Per mart: (rows the manifest says, rows the serving file holds)."""
    with duckdb.connect(str(path), read_only=True) as connection:
        manifest = connection.execute("select mart, row_count from publication").fetchall()
        return {
            mart: (rows, connection.execute(f'select count(*) from "{mart}"').fetchall()[0][0])
            for mart, rows in manifest
        }


def test_a_green_build_publishes_every_mart(published: Path, tmp_path: Path) -> None:
    database = build_project(tmp_path / "rfm.duckdb", MESSY, as_of_date=MESSY_AS_OF)
    manifest = read_manifest(published)
    assert [row["mart"] for row in manifest] == list(PUBLISHED_MARTS)
    invocation = query(database, "select invocation_id from intermediate.int_build_context")[0][0]
    for row in manifest:
        built_rows = query(database, f"select count(*) from marts.{row['mart']}")[0][0]
        parquet_rows = duckdb.sql(f"select count(*) from '{published / row['file']}'").fetchall()[0][0]
        assert row["row_count"] == built_rows == parquet_rows, row["mart"]
        assert row["invocation_id"] == invocation and row["as_of_date"] == MESSY_AS_OF
    counts = serving_counts(published / SERVING_FILE)
    assert set(counts) == set(PUBLISHED_MARTS) and all(a == b for a, b in counts.values())
    assert not list(published.glob(".publishing-*"))  # nothing half-written left behind


def test_a_failed_build_leaves_the_last_publication(published: Path, tmp_path: Path) -> None:
    build_project(tmp_path / "rfm.duckdb", MESSY, as_of_date=MESSY_AS_OF)
    before = {path.name: path.read_bytes() for path in published.iterdir()}

    only_bad = tmp_path / "only_bad.csv"
    only_bad.write_text("customer_id,transaction_at,amount\n,2025-01-01,10\nc1,not a date,10\n")
    with pytest.raises(DbtError, match="valid_transactions"):
        build_project(tmp_path / "rfm.duckdb", only_bad)
    assert {path.name: path.read_bytes() for path in published.iterdir()} == before


@pytest.fixture(scope="session")
def duckdb_1x(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """DuckDB 1.1 (as BI drivers embed it), installed aside from the project's own DuckDB."""
    target = tmp_path_factory.mktemp("duckdb_1x")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), "duckdb==1.1.3"],
        check=True,
    )
    return target


def test_the_serving_file_opens_in_duckdb_1x(published: Path, tmp_path: Path, duckdb_1x: Path) -> None:
    build_project(tmp_path / "rfm.duckdb", MESSY, as_of_date=MESSY_AS_OF)
    script = (
        "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
        "print(duckdb.__version__, c.execute('select count(*) from customer_rfm').fetchall()[0][0])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(published / SERVING_FILE)],
        env={**os.environ, "PYTHONPATH": str(duckdb_1x)},
        capture_output=True,
        text=True,
        check=True,
    )
    version, customers = result.stdout.split()
    assert version.startswith("1.") and int(customers) == read_manifest(published)[0]["row_count"]


READER = textwrap.dedent(
    """
    import json, sys, time
    import duckdb

    path, stop, out = sys.argv[1], sys.argv[2], sys.argv[3]
    reads, errors, invocations = 0, [], set()
    while True:
        try:
            with duckdb.connect(path, read_only=True) as connection:
                manifest = connection.execute(
                    "select mart, row_count, invocation_id from publication"
                ).fetchall()
                for mart, rows, invocation in manifest:
                    found = connection.execute(f'select count(*) from "{mart}"').fetchall()[0][0]
                    if found != rows:
                        errors.append(f"{mart}: manifest {rows}, data {found}")
                    invocations.add(invocation)
            reads += 1
        except Exception as error:  # every failure is a finding
            errors.append(f"{type(error).__name__}: {error}")
        if __import__("os").path.exists(stop):
            break
        time.sleep(0.01)
    json.dump({"reads": reads, "errors": errors, "invocations": sorted(invocations)}, open(out, "w"))
    """
)


def test_readers_and_builds_never_block_each_other(published: Path, tmp_path: Path) -> None:
    database = tmp_path / "rfm.duckdb"
    build_project(database, MESSY, as_of_date=MESSY_AS_OF)
    stop, out = tmp_path / "stop", tmp_path / "reads.json"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(published / SERVING_FILE), str(stop), str(out)]
    )
    try:
        time.sleep(1)
        for as_of_date in ("2025-06-01", MESSY_AS_OF):  # two more publications while the reader reads
            build_project(database, MESSY, as_of_date=as_of_date)
    finally:
        stop.touch()
        reader.wait(timeout=60)
    result = json.loads(out.read_text())
    assert result["errors"] == []
    assert result["reads"] >= 10
    assert len(result["invocations"]) >= 2  # it saw publications replaced under it
    assert json.loads((published / MANIFEST_FILE).read_text())[0]["as_of_date"] == MESSY_AS_OF
