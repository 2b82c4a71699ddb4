"""Parity: the same models, seeds and tests on Apache Spark (dbt-spark's session method on a local pyspark)
give DuckDB's results row for row.

Needs Java 17+. RFM_SKIP_SPARK=1 skips it for quick local runs; pytest's summary (-ra) then says so.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from conftest import FIXTURES, MESSY, MESSY_REJECT_RATE_ERROR, PROJECT, build_project
from rfm.generate import generate
from rfm.project import run_dbt

LINES = FIXTURES / "transactions_lines.csv"
SKIP_FLAG = "RFM_SKIP_SPARK"
pytestmark = pytest.mark.skipif(
    os.environ.get(SKIP_FLAG) == "1", reason=f"{SKIP_FLAG}=1: the Spark parity test was skipped on request"
)

AS_OF = "2026-01-01"
# Parameters fitted elsewhere (var clv_parameters): Spark scores P(alive) and the churn band in SQL from them,
# DuckDB in numpy (customer_clv), so customer_rfm's CLV columns are compared too.
CLV_PARAMETERS = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426, "p": 6.25, "q": 3.74, "v": 15.44}
VARIABLES = {"as_of_date": AS_OF, "history_start_date": "2025-07-01", "clv_parameters": CLV_PARAMETERS}
# The relations compared, as (schema, name).
RELATIONS = (
    ("marts", "customer_rfm"),
    ("marts", "rfm_segment_summary"),
    ("staging", "rejected_transactions"),
    ("marts", "customer_rfm_history"),
)
# customer_rfm's expected value comes from a Python model (customer_clv: the hypergeometric function), which
# dbt-spark runs only on Databricks: null on Spark, so it is not compared. P(alive) is, to 1e-9: numpy there,
# SQL here.
DUCKDB_ONLY_COLUMNS = {"expected_value"}
ROUNDED_COLUMNS = {"p_alive": 9}
REASONS = {
    "missing_customer_id",
    "invalid_transaction_at",
    "invalid_amount",
    "implausible_transaction_at",
    "after_as_of_date",
    "duplicate_transaction_id",
}


EDGE_TIMESTAMPS = (
    "2025-06-30T23:30:00-05:00",
    "2025-06-30 23:30:00+02",
    "2025-06-30 10:00:00 UTC",
    "2025-01",
    "2025-06-30T10",
    "2025-6-5",
    "2025-06-30 10:00",
    "2999-12-31",
    "1900-01-01",
    "2025-03-03 (BC)",
    "0000-01-01",
)
# Ids and amounts the guards clean or refuse: null tokens, invisible characters around an id, digit groups.
EDGE_VALUES = (
    ("NULL", "5"),
    ("n/a", "5"),
    ("\u200bedge1\u00a0", "5"),
    ("\ufeffedge2\t", "5"),
    ("edge1", "1_000"),
    ("edge2", "+2.5e1"),
    ("edge2", ".5"),
)


def csv_input(folder: Path) -> tuple[str, dict[str, Any]]:
    """A few thousand generated rows (every kind of bad row) followed by the messy fixture's rows."""
    out = folder / "transactions.csv"
    generate(out, transactions=4000, customers=400, seed=7)
    with MESSY.open(newline="") as handle:
        messy = list(csv.DictReader(handle))
    with out.open(newline="") as handle:
        header = next(csv.reader(handle))
    with out.open("a", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerows([record[name] for name in header] for record in messy)
        # Timestamp texts the engines' own casts read differently (an offset, a month, an hour alone).
        for number, text in enumerate(EDGE_TIMESTAMPS, start=1):
            row = {"transaction_id": f"edge{number}", "customer_id": f"edge{number % 3}"}
            row.update({"transaction_at": text, "amount": "12.50"})
            writer.writerow([row[name] for name in header])
        for number, (customer, amount) in enumerate(EDGE_VALUES, start=1):
            row = {"transaction_id": f"value{number}", "customer_id": customer}
            row.update({"transaction_at": "2025-06-30 10:00:00", "amount": amount})
            writer.writerow([row[name] for name in header])
        # A null-token transaction id is no id: both rows count.
        for day in ("2025-06-01", "2025-06-02"):
            row = {"transaction_id": "null", "customer_id": "edge0", "transaction_at": day, "amount": "3"}
            writer.writerow([row[name] for name in header])
    return str(out), {}


def parquet_input(folder: Path) -> tuple[str, dict[str, Any]]:
    """Typed Parquet in two files read by a glob, with the customer id under another name and stored as a
    fractional number (as pandas writes an integer column with gaps)."""
    generated = folder / "generated.parquet"
    generate(generated, transactions=4000, customers=400, seed=11)
    table = pq.read_table(generated)
    # A typed timestamp from 1900: implausible on both engines.
    at = table.column_names.index("transaction_at")
    times = table.column(at).to_pylist()
    first = next(n for n, time in enumerate(times) if time is not None)
    times[first] = times[first].replace(year=1900)
    table = table.set_column(at, "transaction_at", pa.array(times, table.schema.field(at).type))
    trimmed = pc.utf8_trim_whitespace(table["customer_id"])
    present = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
    table = table.set_column(1, "cust_no", pc.cast(pc.cast(present, pa.int64()), pa.float64()))
    parts = folder / "parts"
    parts.mkdir()
    pq.write_table(table.slice(0, 2500), parts / "part-0000.parquet")
    pq.write_table(table.slice(2500), parts / "part-0001.parquet")
    return str(parts / "*.parquet"), {"transactions_columns": {"customer_id": "cust_no"}}


def lines_input(folder: Path) -> tuple[str, dict[str, Any]]:
    """A generated log of order lines (no amount: quantity x unit price, cancellations, bad quantities)
    followed by the line fixture's rows (sub-cent prices, identical rows, line ids repeated across orders),
    identical rows rejected."""
    out = folder / "lines.csv"
    generate(out, transactions=4000, customers=400, seed=7, lines=True)
    with LINES.open(newline="") as handle:
        fixture = list(csv.DictReader(handle))
    with out.open(newline="") as handle:
        header = next(csv.reader(handle))
    with out.open("a", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        for record in fixture:
            row = {**record, "transaction_id": record["line_id"]}
            writer.writerow([row[name] for name in header])
    return str(out), {"identical_rows": "reject"}


INPUTS = {"csv": csv_input, "parquet": parquet_input, "lines": lines_input}
# Every reject reason each input exercises (duplicate_row only where identical rows are rejected).
EXPECTED_REASONS = {"csv": REASONS, "parquet": REASONS, "lines": REASONS | {"duplicate_row"}}


@pytest.fixture(scope="module")
def spark_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One warehouse for the module's in-process builds: the JVM keeps its first session's catalog and
    warehouse for the life of the process (a second session would not see a new folder), so every build here
    shares that session and replaces the tables of the one before."""
    if shutil.which("java") is None:
        pytest.fail(f"The Spark parity test needs Java 17+ on PATH (or set {SKIP_FLAG}=1 to skip it).")
    warehouse = tmp_path_factory.mktemp("spark-warehouse")
    # 64 KB splits: the CSV is read by several tasks, so numbering rows across splits is part of the parity.
    settings = {"RFM_SPARK_WAREHOUSE": str(warehouse), "RFM_SPARK_MAX_PARTITION_BYTES": "65536"}
    previous = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    yield warehouse
    for name, value in previous.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


#: Each input's engines, once built: pytest-xdist tears a module's fixtures down whenever a worker's queue of
#: tests runs dry, and the next test would build both engines again (minutes each); the files stay on disk.
BUILT: dict[str, tuple[Path, Path, str]] = {}


@pytest.fixture(scope="module", params=sorted(INPUTS))
def engines(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, spark_warehouse: Path
) -> tuple[Path, Path, str]:
    """(DuckDB database, folder with one Parquet folder per relation as Spark computed it, input name)."""
    if request.param not in BUILT:
        BUILT[request.param] = build_engines(request.param, tmp_path_factory)
    return BUILT[request.param]


def build_engines(name: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    from pyspark.sql import SparkSession

    root = tmp_path_factory.mktemp(f"spark-{name}")
    transactions, mapping = INPUTS[name](root)
    variables = {"transactions_path": transactions, **mapping, **VARIABLES}
    duck = build_project(root / "rfm.duckdb", transactions, **mapping, **VARIABLES)
    # In-process, so the session dbt-spark started is the one that reads the results back.
    run_dbt(["build", "--target", "spark"], PROJECT, variables)
    # dbt ran its models in worker threads; the builder returns the session they shared.
    spark = SparkSession.builder.getOrCreate()
    exported = root / "from_spark"
    for schema, relation in RELATIONS:
        spark.table(f"{schema}.{relation}").write.parquet(str(exported / relation))
    return duck, exported, name


def differences(duck: Path, exported: Path, schema: str, name: str) -> list[tuple[object, ...]]:
    """Rows one engine has and the other has not (as many times as they differ), tagged with the engine."""
    with duckdb.connect() as connection:
        connection.execute("set TimeZone = 'UTC'")
        connection.execute(f"attach '{duck}' as duck (read_only)")
        columns = [
            row[0]
            for row in connection.execute(
                "select column_name from information_schema.columns where table_catalog = 'duck'"
                " and table_schema = ? and table_name = ? order by ordinal_position",
                [schema, name],
            ).fetchall()
            if row[0] not in DUCKDB_ONLY_COLUMNS
        ]
        # Spark names a file by its URI (file:/tmp/...), DuckDB by the path it was given (/tmp/...).
        select = ", ".join(
            "regexp_replace(source_file, '^file:', '') as source_file"
            if column == "source_file"
            else f"round({column}, {ROUNDED_COLUMNS[column]}) as {column}"
            if column in ROUNDED_COLUMNS
            else column
            for column in columns
        )
        duck_rows = f"select {select} from duck.{schema}.{name}"
        spark_rows = f"select {select} from read_parquet('{exported / name}/*.parquet')"
        return connection.execute(
            f"(select 'duckdb only' as engine, * from ({duck_rows} except all {spark_rows}))"
            f" union all (select 'spark only', * from ({spark_rows} except all {duck_rows}))"
            " order by all limit 20"
        ).fetchall()


@pytest.mark.parametrize(("schema", "name"), RELATIONS, ids=[name for _, name in RELATIONS])
def test_spark_equals_duckdb_row_for_row(engines: tuple[Path, Path, str], schema: str, name: str) -> None:
    duck, exported, _ = engines
    assert differences(duck, exported, schema, name) == []


def test_the_parity_input_exercises_every_reason_and_segment(engines: tuple[Path, Path, str]) -> None:
    duck, _, input_name = engines
    with duckdb.connect(str(duck), read_only=True) as connection:
        reasons = {
            row[0]
            for row in connection.execute(
                "select distinct reject_reason from staging.rejected_transactions"
            ).fetchall()
        }
        customers, segments, scored, bands = connection.execute(
            "select count(*), count(distinct segment), count(p_alive), count(distinct churn_band)"
            " from marts.customer_rfm"
        ).fetchall()[0]
        dates = connection.execute(
            "select count(distinct as_of_date) from marts.customer_rfm_history"
        ).fetchall()[0][0]
    assert reasons == EXPECTED_REASONS[input_name]
    assert customers > 300
    # P(alive) compared for (nearly) every customer, in more than one band (a refunds-only customer has none).
    assert scored > 0.9 * customers and bands >= 2
    assert segments >= 8
    assert dates == 7


def test_a_table_as_the_input_gives_duckdbs_answer_on_spark(spark_warehouse: Path, tmp_path: Path) -> None:
    """var transactions_relation: the parity CSV as a table in each engine, the Spark one in several files,
    gives the same customers and the same quarantined rows (row numbers included: a relation's rows are
    numbered in a stated order, not in scan order)."""
    from pyspark.sql import SparkSession

    transactions, _ = csv_input(tmp_path)
    variables = {"transactions_relation": "landing.transactions", **VARIABLES}
    duck = tmp_path / "rfm.duckdb"
    with duckdb.connect(str(duck)) as connection:
        connection.execute("create schema landing")
        connection.execute(
            "create table landing.transactions as select * from read_csv(?, all_varchar = true)",
            [transactions],
        )
    run_dbt(["build"], PROJECT, variables, duck)
    run_dbt(
        ["seed", "--target", "spark"], PROJECT, {"transactions_path": transactions}
    )  # the session, set up
    spark = SparkSession.builder.getOrCreate()
    spark.sql("create schema if not exists landing")
    spark.sql("drop table if exists landing.transactions")
    table = spark.read.csv(transactions, header=True, inferSchema=False, escape='"').repartition(3)
    table.write.format("parquet").saveAsTable("landing.transactions")
    run_dbt(["build", "--target", "spark"], PROJECT, variables)
    exported = tmp_path / "from_spark"
    for schema, name in (("marts", "customer_rfm"), ("staging", "rejected_transactions")):
        spark.table(f"{schema}.{name}").write.parquet(str(exported / name))
        assert differences(duck, exported, schema, name) == [], name


def test_the_seeds_own_rfm_options_give_duckdbs_answer_on_spark(
    spark_warehouse: Path, tmp_path: Path
) -> None:
    """Every R, F and M option of the case studies at once (purchase days, bins per dimension, nested binning,
    the mean purchase as M, fractional weights, value_8 cut at the means): the same scores, codes, segments
    and history on both engines."""
    from pyspark.sql import SparkSession

    transactions, _ = csv_input(tmp_path)
    variables = {
        "transactions_path": transactions,
        **VARIABLES,
        "frequency_unit": "day",
        "rfm_bins": {"recency": 5, "frequency": 3, "monetary": 5},
        "rfm_binning": "nested",
        "monetary_measure": "mean",
        "rfm_score_weights": {"recency": 0.637, "frequency": 0.258, "monetary": 0.105},
        "segment_scheme": "value_8",
        "value_8_cut": "mean",
    }
    duck = tmp_path / "rfm.duckdb"
    run_dbt(["build"], PROJECT, variables, duck)
    run_dbt(["build", "--target", "spark"], PROJECT, variables)
    spark = SparkSession.builder.getOrCreate()
    exported = tmp_path / "from_spark"
    compared = (*RELATIONS[:2], ("marts", "customer_rfm_history"), ("marts", "rfm_score_thresholds"))
    for schema, name in compared:
        spark.table(f"{schema}.{name}").write.parquet(str(exported / name))
        assert differences(duck, exported, schema, name) == [], name


def test_history_snapshots_accumulate_on_spark(tmp_path: Path) -> None:
    """Parquet can't delete rows: with history_snapshots each run overwrites only its own date's partition."""
    if shutil.which("java") is None:
        pytest.fail(f"The Spark tests need Java 17+ on PATH (or set {SKIP_FLAG}=1 to skip them).")
    warehouse = tmp_path / "warehouse"
    environment = {**os.environ, "RFM_SPARK_WAREHOUSE": str(warehouse)}
    dbt = Path(sys.executable).with_name("dbt")
    # Seeds and models only: the parity builds above run every test on Spark.
    command = ["build", "--target", "spark", "--select", "+customer_rfm_history"]
    command += ["--resource-type", "seed", "--resource-type", "model"]
    for as_of_date in ("2025-06-01", "2025-07-01"):
        variables = {
            "transactions_path": str(MESSY),
            "as_of_date": as_of_date,
            "history_snapshots": True,
            "reject_rate_error": MESSY_REJECT_RATE_ERROR,
        }
        # A process per run, as a scheduler runs them: the catalog persists in the warehouse folder.
        run = subprocess.run(
            [dbt, *command, "--vars", json.dumps(variables)],
            cwd=PROJECT,
            env=environment,
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, run.stdout[-3000:]
    with duckdb.connect() as connection:
        dates = connection.execute(
            "select cast(as_of_date as varchar), count(*) from read_parquet(?, hive_partitioning = true)"
            " group by all order by all",
            [str(warehouse / "marts.db" / "customer_rfm_history" / "*" / "*.parquet")],
        ).fetchall()
    assert dates == [("2025-06-01", 3), ("2025-07-01", 8)]


def spark_staging_build(variables: dict[str, Any], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`dbt build --target spark` of staging alone, in its own process and warehouse."""
    if shutil.which("java") is None:
        pytest.fail(f"The Spark tests need Java 17+ on PATH (or set {SKIP_FLAG}=1 to skip them).")
    environment = {**os.environ, "RFM_SPARK_WAREHOUSE": str(tmp_path / "warehouse")}
    command = ["build", "--target", "spark", "--select", "stg_transactions_classified", "--vars"]
    return subprocess.run(
        [Path(sys.executable).with_name("dbt"), *command, json.dumps(variables)],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
    )


def test_a_missing_file_fails_in_one_sentence_on_spark(tmp_path: Path) -> None:
    run = spark_staging_build({"transactions_path": str(tmp_path / "nowhere.csv")}, tmp_path)
    assert run.returncode == 1
    assert f"[PATH_NOT_FOUND] Path does not exist: file:{tmp_path / 'nowhere.csv'}." in run.stdout


def test_a_date_format_fails_in_one_sentence_on_spark(tmp_path: Path) -> None:
    """var transaction_at_format reads strptime formats, which Spark's own patterns do not: refused."""
    run = spark_staging_build({"transactions_path": str(MESSY), "transaction_at_format": "%Y%m%d"}, tmp_path)
    assert run.returncode != 0  # refused while dbt parses the project, before any node runs
    assert "var transaction_at_format is not supported on Spark yet" in run.stdout
