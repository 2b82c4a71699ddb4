"""The input as a warehouse table or view (var transactions_relation): the same contract, mapping and
quarantine as a file, declared as a dbt source, reread on every run."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT, TARGET, build_project, query
from rfm.generate import generate
from rfm.project import DbtError, run_dbt

CUSTOMERS = (
    "select customer_id, as_of_date, recency_days, frequency, refunds, monetary, tenure_days, rfm_cell,"
    " segment from marts.customer_rfm order by customer_id"
)
# Without source_row_number: a relation's rows are numbered in a stated order, not the file's.
REJECTED = (
    "select reject_reason, raw_customer_id, raw_transaction_at, raw_amount from staging.rejected_transactions"
    " order by all"
)


def load_table(database: Path, transactions: Path, table: str = "landing.transactions") -> None:
    """The CSV as a table in the build's own database, every column as text, rows in file order."""
    with duckdb.connect(str(database)) as connection:
        connection.execute(f"create schema if not exists {table.split('.')[0]}")
        connection.execute(
            f"create or replace table {table} as select * from read_csv(?, all_varchar = true)",
            [str(transactions)],
        )


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("relation") / "sample.csv", 8_000, 500, seed=13).path


def test_a_table_reads_like_the_file_and_is_a_source(sample: Path, tmp_path: Path) -> None:
    from_file = build_project(tmp_path / "file.duckdb", sample, as_of_date="2026-01-01")
    database = tmp_path / "relation.duckdb"
    load_table(database, sample)
    run_dbt(
        ["build"],
        PROJECT,
        {"transactions_relation": "landing.transactions", "as_of_date": "2026-01-01"},
        database,
    )
    assert query(database, CUSTOMERS) == query(from_file, CUSTOMERS)
    assert query(database, REJECTED) == query(from_file, REJECTED)
    assert query(database, "select distinct source_file from staging.rejected_transactions") == [
        ("landing.transactions",)
    ]
    manifest = json.loads((PROJECT / TARGET / "manifest.json").read_text())
    assert "source.rfm.rfm_input.transactions" in manifest["sources"]
    staging = manifest["nodes"]["model.rfm.stg_transactions_classified"]
    assert "source.rfm.rfm_input.transactions" in staging["depends_on"]["nodes"]


def test_every_run_rereads_the_relation(sample: Path, tmp_path: Path) -> None:
    database = tmp_path / "relation.duckdb"
    load_table(database, sample)
    variables = {"transactions_relation": "landing.transactions", "as_of_date": "2026-01-01"}
    run_dbt(["build"], PROJECT, variables, database)
    with duckdb.connect(
        str(database)
    ) as connection:  # rows change in place: nothing a file listing would see
        connection.execute("delete from landing.transactions where customer_id like '%7'")
        connection.execute(
            "insert into landing.transactions values ('late1', 'newcomer', '2025-12-30', '42.00')"
        )
    run_dbt(["build"], PROJECT, variables, database)
    fresh = tmp_path / "fresh.duckdb"  # a first build on the table as it is now
    with duckdb.connect(str(fresh)) as connection:
        connection.execute(f"attach '{database}' as changed (read_only)")
        connection.execute("create schema landing")
        connection.execute("create table landing.transactions as select * from changed.landing.transactions")
    run_dbt(["build"], PROJECT, variables, fresh)
    assert query(database, CUSTOMERS) == query(fresh, CUSTOMERS)
    assert ("newcomer",) in query(database, "select customer_id from marts.customer_rfm")


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"transactions_relation": "landing.transactions", "transactions_path": "x.csv"},
            "Set one input, not both: transactions_relation (landing.transactions) or transactions_path",
        ),
        (
            {"transactions_relation": "landing.nowhere"},
            "The transactions relation 'landing.nowhere' does not exist, or this target cannot read it",
        ),
        (
            {"transactions_relation": "landing.transactions; drop table x"},
            "var transactions_relation must name a table or view as schema.table or database.schema.table",
        ),
        ({"transactions_path": ""}, "No input is set: pass --vars '{transactions_path: <file>}'"),
    ],
    ids=["both", "missing", "not-a-name", "neither"],
)
def test_the_input_is_one_relation_or_one_path(
    sample: Path, tmp_path: Path, variables: dict[str, str], message: str
) -> None:
    database = tmp_path / "relation.duckdb"
    load_table(database, sample)
    with pytest.raises(DbtError) as failure:
        run_dbt(["build"], PROJECT, variables, database)
    assert message in " ".join(str(failure.value).split())


def test_a_typed_view_with_other_column_names(sample: Path, tmp_path: Path) -> None:
    """The usual warehouse case: typed columns under other names, read through a view and the mapping."""
    parquet = generate(tmp_path / "sample.parquet", 8_000, 500, seed=13).path
    from_file = build_project(tmp_path / "file.duckdb", parquet, as_of_date="2026-01-01")
    database = tmp_path / "relation.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create schema warehouse")
        connection.execute(
            "create table warehouse.orders as select transaction_id as order_ref, customer_id as client,"
            " transaction_at as booked_at, amount as net_value from read_parquet(?)",
            [str(parquet)],
        )
        connection.execute("create view warehouse.orders_v as select * from warehouse.orders")
    mapping = {"transaction_id": "order_ref", "customer_id": "client", "transaction_at": "booked_at"}
    variables = {
        "transactions_relation": "warehouse.orders_v",
        "transactions_columns": {**mapping, "amount": "net_value"},
        "as_of_date": "2026-01-01",
    }
    run_dbt(["build"], PROJECT, variables, database)
    assert query(database, CUSTOMERS) == query(from_file, CUSTOMERS)
    assert query(database, REJECTED) == query(from_file, REJECTED)


def test_a_database_read_from_files_then_from_a_relation(sample: Path, tmp_path: Path) -> None:
    """Switching the input on one database: the files' staged rows go, the relation's come."""
    database = tmp_path / "switch.duckdb"
    variables = {"transactions_relation": "landing.transactions", "as_of_date": "2026-01-01"}
    build_project(database, sample, as_of_date="2026-01-01")
    load_table(database, sample)
    run_dbt(["build"], PROJECT, variables, database)
    files = query(database, "select distinct source_file from staging.stg_transactions_classified")
    assert files == [("landing.transactions",)]
    fresh = tmp_path / "fresh.duckdb"
    load_table(fresh, sample)
    run_dbt(["build"], PROJECT, variables, fresh)
    assert query(database, CUSTOMERS) == query(fresh, CUSTOMERS)
