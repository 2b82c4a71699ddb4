"""Order lines (issue 14): lines of one customer sharing an order_id are one purchase, worth quantity x
unit_price when the file has no amount; identical rows kept or rejected (var identical_rows). dbt builds on
the line fixtures, checked against their own expected reasons, hand-worked values and
python_tests/reference.py."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import FIXTURES, Build, build_project, query
from reference import IDENTICAL_ROWS, compute
from rfm.generate import generate
from test_pipeline import assert_matches_reference

LINES = FIXTURES / "transactions_lines.csv"
LINES_AS_OF = dt.date(2025, 7, 1)
#: The fixture's line ids are transaction ids: (order_id, line_id) is a line's key.
LINES_COLUMNS = {"transaction_id": "line_id"}
#: A quarter of the fixture's rows are bad by design: past the reject-rate guard's default.
LINES_REJECT_RATE_ERROR = 0.9

RETAIL = FIXTURES / "online_retail_lines.csv"
#: The UCI Online Retail II export's columns; it has no line id, so no row is a duplicate_transaction_id.
RETAIL_COLUMNS = {
    "customer_id": "Customer ID",
    "transaction_at": "InvoiceDate",
    "order_id": "Invoice",
    "quantity": "Quantity",
    "unit_price": "Price",
}
#: The export's guest invoices (no Customer ID) are 17.5% of its lines: past the default warning.
RETAIL_REJECT_RATE_WARN = 0.3
RETAIL_REJECT_RATE_ERROR = 0.5

# customer: (recency_days, frequency, refunds, monetary, avg_order_value, tenure_days), worked out by hand
# from the fixture's notes (as of 2025-07-01).
KEPT = {
    "c01": (12, 2, 0, Decimal("88.25"), Decimal("44.13"), 30),  # o1002 dated by its earliest line; 44.125 up
    "c02": (16, 2, 1, Decimal("61.00"), Decimal("58.00"), 52),  # 70.00 - 55.00 (C2001) + 46.00
    "c03": (21, 3, 0, Decimal("0.77"), Decimal("0.26"), 90),  # 0.2125 + 0.17 + 0.3825 = 0.765, rounded once
    "c04": (3, 2, 0, Decimal("24.98"), Decimal("12.49"), 120),
    "c05": (5, 3, 0, Decimal("71.00"), Decimal("23.67"), 42),
    "c06": (1, 3, 0, Decimal("22.00"), Decimal("7.33"), 30),
    "c07": (None, 0, 1, Decimal("-13.00"), None, None),
    "c08": (11, 4, 0, Decimal("110.01"), Decimal("27.50"), 21),  # o8001 nets 0.00: a purchase
}
HAND_WORKED = {
    "keep": KEPT,
    "reject": {
        **KEPT,
        "c03": (21, 3, 0, Decimal("0.68"), Decimal("0.23"), 90),  # o3002's second line is a duplicate_row
        "c08": (11, 3, 0, Decimal("105.01"), Decimal("35.00"), 21),  # so is the padded copy of 5.00
    },
}


def expected_reasons(identical_rows: str) -> dict[int, str | None]:
    with LINES.open(newline="") as handle:
        return {
            number: record[f"expected_reason_{identical_rows}"] or None
            for number, record in enumerate(csv.DictReader(handle), start=1)
        }


def hand_worked_values(customers: list) -> dict[str, tuple]:
    return {
        c.customer_id: (
            c.recency_days,
            c.frequency,
            c.refunds,
            c.monetary,
            c.avg_order_value,
            c.tenure_days,
        )
        for c in customers
    }


def reasons_counted(reasons: dict[int, str | None]) -> dict[str, int]:
    return dict(Counter(reason for reason in reasons.values() if reason))


@pytest.fixture(scope="module", params=IDENTICAL_ROWS)
def lines_build(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """(identical_rows, the database built from the line fixture with it)."""
    identical_rows = request.param
    database = tmp_path_factory.mktemp(f"lines-{identical_rows}") / "rfm.duckdb"
    build_project(
        database,
        LINES,
        transactions_columns=LINES_COLUMNS,
        identical_rows=identical_rows,
        as_of_date=LINES_AS_OF.isoformat(),
        reject_rate_error=LINES_REJECT_RATE_ERROR,
    )
    return identical_rows, database


@pytest.mark.parametrize("identical_rows", IDENTICAL_ROWS)
def test_reference_agrees_with_the_line_fixture(identical_rows: str) -> None:
    """No dbt: the independent computation and the fixture's hand-worked expectations say the same."""
    reasons, customers = compute(LINES, LINES_AS_OF, columns=LINES_COLUMNS, identical_rows=identical_rows)
    assert reasons == expected_reasons(identical_rows)
    assert hand_worked_values(customers) == HAND_WORKED[identical_rows]


def test_every_bad_line_is_quarantined_with_its_reason(lines_build: tuple[str, Path]) -> None:
    identical_rows, database = lines_build
    rejected = dict(
        query(database, "select source_row_number, reject_reason from staging.rejected_transactions")
    )
    expected = {number: reason for number, reason in expected_reasons(identical_rows).items() if reason}
    assert rejected == expected
    staged = query(database, "select count(*) from staging.stg_transactions")[0][0]
    assert staged + len(rejected) == len(expected_reasons(identical_rows)) == 48


def test_orders_are_scored_as_worked_out_by_hand(lines_build: tuple[str, Path]) -> None:
    identical_rows, database = lines_build
    rows = query(
        database,
        "select customer_id, recency_days, frequency, refunds, monetary, avg_order_value, tenure_days "
        "from marts.customer_rfm",
    )
    assert {row[0]: row[1:] for row in rows} == HAND_WORKED[identical_rows]


def test_orders_match_the_independent_computation(lines_build: tuple[str, Path]) -> None:
    identical_rows, database = lines_build
    _, customers = compute(LINES, LINES_AS_OF, columns=LINES_COLUMNS, identical_rows=identical_rows)
    assert_matches_reference(database, customers)


def test_rejected_lines_keep_their_original_values(lines_build: tuple[str, Path]) -> None:
    _, database = lines_build
    rows = query(
        database,
        "select source_row_number, raw_order_id, raw_transaction_id, raw_quantity, raw_unit_price "
        "from staging.rejected_transactions where source_row_number in (21, 22, 23, 27) "
        "order by source_row_number",
    )
    assert rows == [
        (21, "o4001", "1", "two", "5.00"),
        (22, "o4001", "2", "1_0", "5.00"),
        (23, "o4001", "3", "1", "n/a"),
        (27, "o4003", "1", "two", "10.00"),  # missing_customer_id: its bad quantity is kept as read too
    ]


def test_an_online_retail_export_scores_invoices(build: Build) -> None:
    reasons, customers = compute(RETAIL, columns=RETAIL_COLUMNS)
    expected = reasons_counted(reasons)
    # The export's one kind of bad row is a guest invoice; its share sits between the guard's two limits.
    assert set(expected) == {"missing_customer_id"}
    assert 0.05 < expected["missing_customer_id"] / len(reasons) < RETAIL_REJECT_RATE_WARN
    # Cancellation invoices (C...) are refunds; repeated identical lines are all kept.
    assert sum(c.refunds for c in customers) >= 5
    database = build(
        RETAIL,
        transactions_columns=RETAIL_COLUMNS,
        reject_rate_warn=RETAIL_REJECT_RATE_WARN,
        reject_rate_error=RETAIL_REJECT_RATE_ERROR,
    )
    rejected = dict(
        query(database, "select reject_reason, count(*) from staging.rejected_transactions group by 1")
    )
    assert "duplicate_transaction_id" not in rejected and "duplicate_row" not in rejected
    assert rejected == expected
    assert_matches_reference(database, customers)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_generated_line_log_matches_the_independent_computation(
    build: Build, tmp_path: Path, suffix: str
) -> None:
    sample = generate(tmp_path / f"lines{suffix}", 5_000, 300, seed=13, lines=True).path
    as_of = dt.date(2026, 1, 1)
    # A year back: orders are in or out of the window by their earliest line.
    database = build(sample, as_of_date=as_of.isoformat(), lookback_days=365)
    readable = sample
    if suffix == ".parquet":
        import pyarrow.csv as pa_csv
        import pyarrow.parquet as pq

        readable = tmp_path / "lines-from-parquet.csv"
        pa_csv.write_csv(pq.read_table(sample), readable)
    reasons, customers = compute(readable, as_of, lookback_days=365)
    rejected = dict(
        query(database, "select reject_reason, count(*) from staging.rejected_transactions group by 1")
    )
    assert rejected == reasons_counted(reasons)
    assert set(rejected) == {
        "missing_customer_id",
        "invalid_transaction_at",
        "invalid_amount",
        "after_as_of_date",
        "duplicate_transaction_id",
    }
    assert sum(c.refunds for c in customers) > 0
    assert_matches_reference(database, customers)


def test_an_order_is_its_customers(build: Build, tmp_path: Path) -> None:
    """The same order and line id under two customers are two lines of two orders; a repeat under the same
    customer is a duplicate."""
    lines = tmp_path / "lines.csv"
    lines.write_text(
        "order_id,transaction_id,customer_id,transaction_at,quantity,unit_price\n"
        "o1,1,a,2025-03-01 10:00:00,1,5\n"
        "o1,1,b,2025-03-02 10:00:00,2,5\n"
        "o1,1,a,2025-03-03 10:00:00,1,5\n"
    )
    database = build(lines, reject_rate_error=0.9)
    rejected = query(database, "select source_row_number, reject_reason from staging.rejected_transactions")
    assert rejected == [(3, "duplicate_transaction_id")]
    reasons, customers = compute(lines)
    assert [number for number, reason in reasons.items() if reason] == [3]
    assert_matches_reference(database, customers)
    totals = query(database, "select customer_id, frequency, monetary from marts.customer_rfm order by 1")
    assert totals == [("a", 1, Decimal("5.00")), ("b", 1, Decimal("10.00"))]
