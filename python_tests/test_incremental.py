"""Daily incremental runs: after each change to the input folder, the incrementally updated database equals a
full build of the same files, row for row, in every model (models/docs.md, "incremental_runs")."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from conftest import PROJECT, build_project, query
from rfm.generate import generate
from rfm.project import run_dbt

#: Every model whose rows must match; the load log, the totals' loaded_through and the counts' loaded_at
#: differ by design.
COMPARED = {
    "staging.stg_transactions_classified": "*",
    "staging.rejected_transactions": "*",
    "intermediate.int_transactions_aggregated_to_file_dates": "* exclude (loaded_at)",
    "intermediate.int_scoring_window": "*",
    "intermediate.int_transactions_summed_to_customers": "* exclude (loaded_through)",
    "intermediate.int_transactions_aggregated_to_purchases": "*",
    "intermediate.int_transactions_aggregated_to_customer_dates": "*",
    "intermediate.int_customers_scored": "*",
    "intermediate.int_customers_segmented": "*",
    "marts.customer_rfm": "*",
    "marts.rfm_segment_summary": "*",
    "marts.rfm_cell_summary": "*",
    "marts.rfm_score_thresholds": "*",
}


def mismatches(incremental: Path, full: Path) -> dict[str, int]:
    """Rows in one database and not the other (either way), per model; empty when they are equal."""
    found: dict[str, int] = {}
    with duckdb.connect() as connection:
        connection.execute(f"attach '{incremental}' as incremental (read_only)")
        connection.execute(f"attach '{full}' as full_refresh (read_only)")
        for name, columns in COMPARED.items():
            left = f"select {columns} from incremental.{name}"
            right = f"select {columns} from full_refresh.{name}"
            count = connection.execute(
                f"select count(*) from (({left} except all {right}) union all ({right} except all {left}))"
            ).fetchall()[0][0]
            if count:
                found[name] = count
    return found


def assert_equals_full_build(
    incremental: Path, folder: Path, pattern: str, tmp_path: Path, step: str, **variables: object
) -> None:
    full = build_project(tmp_path / f"full_{step}.duckdb", folder / pattern, **variables)
    assert mismatches(incremental, full) == {}, step


def load_log(database: Path) -> list[tuple[str, str, int]]:
    """(file name, action, run number) per logged load, run numbers counted from 1."""
    rows = query(
        database,
        "select source_file, load_action, dense_rank() over (order by loaded_at) "
        "from staging.stg_transaction_file_loads order by loaded_at, source_file",
    )
    return [(Path(name).name, action, run) for name, action, run in rows]


def loaded_through_values(database: Path) -> int:
    return query(
        database,
        "select count(distinct loaded_through) from intermediate.int_transactions_summed_to_customers",
    )[0][0]


@pytest.fixture(scope="module")
def sample_lines(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """A generated log with every kind of bad row and cross-file duplicates, as CSV lines (header first)."""
    path = tmp_path_factory.mktemp("sample") / "transactions.csv"
    generate(path, transactions=6_000, customers=400, seed=7)
    return path.read_text().splitlines(keepends=True)


def write_csv(path: Path, header: str, lines: list[str]) -> None:
    path.write_text(header + "".join(lines))


def two_days_built(sample_lines: list[str], tmp_path: Path) -> tuple[Path, Path]:
    """A folder of two daily CSV files, and a database built from it."""
    header, rows = sample_lines[0], sample_lines[1:]
    folder = tmp_path / "transactions"
    folder.mkdir()
    write_csv(folder / "day_1.csv", header, rows[:1_500])
    write_csv(folder / "day_2.csv", header, rows[1_500:3_000])
    return folder, build_project(tmp_path / "incremental.duckdb", folder / "*.csv")


def test_incremental_csv_runs_equal_full_builds(sample_lines: list[str], tmp_path: Path) -> None:
    header, rows = sample_lines[0], sample_lines[1:]
    folder = tmp_path / "transactions"
    folder.mkdir()
    database = tmp_path / "incremental.duckdb"
    pattern = "*.csv"

    write_csv(folder / "day_1.csv", header, rows[:3_000])
    build_project(database, folder / pattern)

    # A new daily file: only it is read, and only the customers it touches get new totals. Two malformed lines
    # in it are quarantined (and the rows after them numbered by their place) as in a full build.
    write_csv(
        folder / "day_2.csv",
        header,
        [*rows[3_000:3_700], "c1,2025-01-01\n", *rows[3_700:4_500], "x,1,2,3,4\n"],
    )
    build_project(database, folder / pattern)
    assert load_log(database) == [("day_1.csv", "load", 1), ("day_2.csv", "load", 2)]
    assert loaded_through_values(database) == 2  # customers not in day_2 keep their first totals
    malformed = "select count(*) from staging.rejected_transactions where reject_reason = 'malformed_line'"
    assert query(database, malformed) == [(2,)]
    assert_equals_full_build(database, folder, pattern, tmp_path, "new_file")

    # Rows appended to the last file: it is reloaded, and totals are recomputed from staging.
    with (folder / "day_2.csv").open("a") as handle:
        handle.write("".join(rows[4_500:]))
    build_project(database, folder / pattern)
    assert load_log(database)[-1] == ("day_2.csv", "reload", 3)
    assert_equals_full_build(database, folder, pattern, tmp_path, "appended")

    # The first file removed: its rows go, and the later file is reread (its copies may now be the first).
    (folder / "day_1.csv").unlink()
    build_project(database, folder / pattern)
    assert load_log(database)[-2:] == [("day_1.csv", "remove", 4), ("day_2.csv", "reload", 4)]
    assert_equals_full_build(database, folder, pattern, tmp_path, "removed")

    # Nothing changed: nothing is read or logged, and the result stands.
    build_project(database, folder / pattern)
    assert len(load_log(database)) == 5
    assert_equals_full_build(database, folder, pattern, tmp_path, "unchanged")


def test_incremental_parquet_run_equals_full_build(tmp_path: Path) -> None:
    source = tmp_path / "transactions.parquet"
    generate(source, transactions=6_000, customers=400, seed=11)
    table = pq.read_table(source)
    folder = tmp_path / "transactions"
    folder.mkdir()
    database = tmp_path / "incremental.duckdb"

    pq.write_table(table.slice(0, 4_000), folder / "part-0001.parquet")
    build_project(database, folder / "*.parquet")
    pq.write_table(table.slice(4_000), folder / "part-0002.parquet")
    build_project(database, folder / "*.parquet")

    assert load_log(database) == [("part-0001.parquet", "load", 1), ("part-0002.parquet", "load", 2)]
    # Duplicates of day-one transactions in the new file are caught against the staged table.
    duplicates = query(
        database,
        "select count(*) from staging.rejected_transactions "
        "where reject_reason = 'duplicate_transaction_id' and source_file like '%part-0002%'",
    )[0][0]
    assert duplicates > 0
    assert_equals_full_build(database, folder, "*.parquet", tmp_path, "parquet")


def test_purchase_days_counted_incrementally_equal_a_full_build(tmp_path: Path) -> None:
    """frequency_unit day: a new file repeats days its customers already bought on, so their days are
    recounted, not added; and totals counted in transactions are recounted in days when the var changes."""
    source = tmp_path / "transactions.parquet"
    generate(source, transactions=6_000, customers=300, seed=17)
    table = pq.read_table(source)
    folder = tmp_path / "transactions"
    folder.mkdir()
    database = tmp_path / "incremental.duckdb"
    pq.write_table(table.slice(0, 3_000), folder / "part-0001.parquet")
    build_project(database, folder / "*.parquet", frequency_unit="day")
    # The second file holds purchases on days its customers already bought on in the first.
    pq.write_table(table.slice(3_000, 2_000), folder / "part-0002.parquet")
    repeated = query(
        database,
        f"select count(*) from read_parquet('{folder / 'part-0002.parquet'}') as arriving "
        "inner join staging.stg_transactions as staged on arriving.customer_id = staged.customer_id "
        "and cast(try_cast(arriving.transaction_at as timestamp) as date) = staged.transaction_date",
    )[0][0]
    assert repeated > 0
    build_project(database, folder / "*.parquet", frequency_unit="day")
    assert_equals_full_build(database, folder, "*.parquet", tmp_path, "days", frequency_unit="day")
    # Totals counted in transactions are recounted in days when the var changes back and forth.
    pq.write_table(table.slice(5_000), folder / "part-0003.parquet")
    build_project(database, folder / "*.parquet")
    build_project(database, folder / "*.parquet", frequency_unit="day")
    assert_equals_full_build(database, folder, "*.parquet", tmp_path, "switched", frequency_unit="day")
    by_transaction = build_project(tmp_path / "by_transaction.duckdb", folder / "*.parquet")
    assert mismatches(database, by_transaction)


def test_incremental_order_lines_equal_full_builds(tmp_path: Path) -> None:
    """Order lines over daily files: an order whose lines span two files, cancellations, identical rows
    rejected across files. The customers a new file touches are recounted from all their lines, as a full
    build counts them."""
    source = tmp_path / "lines.csv"
    generate(source, transactions=6_000, customers=400, seed=5, lines=True)
    with source.open(newline="") as handle:
        records = list(csv.DictReader(handle))
    # Day 2 adds a line (a line id its order does not have yet) to the last order of day 1, and repeats a
    # line without a line id that day 1 ended with: identical, so a duplicate_row of the staged one.
    spanning = {**records[2_999], "transaction_id": "99", "quantity": "3", "unit_price": "1.0425"}
    anonymous = {**records[2_998], "transaction_id": ""}
    folder = tmp_path / "transactions"
    folder.mkdir()
    database = tmp_path / "incremental.duckdb"
    variables = {"identical_rows": "reject"}

    write_records(folder / "day_1.csv", [*records[:3_000], anonymous])
    build_project(database, folder / "*.csv", **variables)
    write_records(folder / "day_2.csv", [anonymous, spanning, *records[3_000:]])
    build_project(database, folder / "*.csv", **variables)

    assert load_log(database) == [("day_1.csv", "load", 1), ("day_2.csv", "load", 2)]
    assert loaded_through_values(database) == 2  # customers not in day_2 keep their first totals
    order = query(
        database,
        "select count(distinct source_file) from staging.stg_transactions "
        f"where order_id = '{spanning['order_id']}' and customer_id = '{spanning['customer_id']}'",
    )
    assert order == [(2,)]
    repeated = query(
        database,
        "select count(*) from staging.rejected_transactions "
        "where reject_reason = 'duplicate_row' and source_file like '%day_2.csv'",
    )
    assert repeated == [(1,)]
    full = build_project(tmp_path / "full.duckdb", folder / "*.csv", **variables)
    assert mismatches(database, full) == {}


def write_records(path: Path, records: list[dict[str, str]]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(records[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)


def test_changing_a_staging_var_rereads_every_file(sample_lines: list[str], tmp_path: Path) -> None:
    header, rows = sample_lines[0], sample_lines[1:]
    folder = tmp_path / "transactions"
    folder.mkdir()
    write_csv(folder / "day_1.csv", header, rows[:2_000])
    write_csv(folder / "day_2.csv", header, rows[2_000:4_000])
    database = tmp_path / "incremental.duckdb"
    build_project(database, folder / "*.csv")

    build_project(database, folder / "*.csv", as_of_date="2025-07-01")
    assert load_log(database)[-2:] == [("day_1.csv", "reload", 2), ("day_2.csv", "reload", 2)]
    full = build_project(tmp_path / "full.duckdb", folder / "*.csv", as_of_date="2025-07-01")
    assert mismatches(database, full) == {}


def test_mismatches_sees_a_changed_row(sample_lines: list[str], tmp_path: Path) -> None:
    """The comparison itself can fail: one changed amount is one mismatch each way."""
    header, rows = sample_lines[0], sample_lines[1:]
    folder = tmp_path / "transactions"
    folder.mkdir()
    write_csv(folder / "day_1.csv", header, rows[:500])
    first = build_project(tmp_path / "first.duckdb", folder / "*.csv")
    second = tmp_path / "second.duckdb"
    shutil.copy(first, second)
    with duckdb.connect(str(second)) as connection:
        connection.execute(
            "update marts.customer_rfm set monetary = monetary + 1 "
            "where customer_id = (select min(customer_id) from marts.customer_rfm)"
        )
    assert mismatches(second, first) == {"marts.customer_rfm": 2}


def test_a_lost_load_log_rereads_everything(sample_lines: list[str], tmp_path: Path) -> None:
    """Staged rows the log does not vouch for are never trusted: without the log, the run starts over."""
    folder, database = two_days_built(sample_lines, tmp_path)

    with duckdb.connect(str(database)) as connection:
        connection.execute("drop table staging.stg_transaction_file_loads")
    (folder / "day_1.csv").unlink()
    build_project(database, folder / "*.csv")
    assert load_log(database) == [("day_2.csv", "load", 1)]
    assert_equals_full_build(database, folder, "*.csv", tmp_path, "lost_log")


def test_staging_rebuilt_alone_is_counted_again(sample_lines: list[str], tmp_path: Path) -> None:
    """Staging rebuilt on its own (--full-refresh of that model, here with other vars) leaves a load log that
    no longer describes it: the log is emptied, so the next run rereads and recounts everything."""
    folder, database = two_days_built(sample_lines, tmp_path)

    run_dbt(
        ["build", "--full-refresh", "--select", "stg_transactions_classified"],
        PROJECT,
        {"transactions_path": str(folder / "*.csv"), "missing_id_tokens": []},
        database,
    )
    assert query(database, "select count(*) from staging.stg_transaction_file_loads") == [(0,)]
    build_project(database, folder / "*.csv")
    assert_equals_full_build(database, folder, "*.csv", tmp_path, "staging_alone")
