"""Segments over time: the backfilled history equals separate builds at each date, migration matrices add up,
snapshots accumulate, and the summary shows last period's movement."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from conftest import build_project, query
from rfm.generate import generate
from rfm.summary import render_summary

AS_OF = "2026-01-01"
LOOKBACK_DAYS = 180
HISTORY = {"as_of_date": AS_OF, "lookback_days": LOOKBACK_DAYS}
#: What a build at one date and the history at that date must agree on.
COMPARED = (
    "customer_id, recency_days, frequency, refunds, monetary, avg_order_value, tenure_days, "
    "r_score, f_score, m_score, rfm_cell, rfm_score, segment"
)


@pytest.fixture(scope="module")
def transactions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("history") / "transactions.csv"
    generate(path, transactions=20_000, customers=1_000, seed=5)
    return path


@pytest.fixture(scope="module")
def history_build(transactions: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    database = tmp_path_factory.mktemp("history_build") / "rfm.duckdb"
    return build_project(
        database, transactions, history_start_date="2025-07-01", history_interval="month", **HISTORY
    )


def rows_at(database: Path, table: str, as_of_date: str | None = None) -> list[tuple[Any, ...]]:
    where = f"where as_of_date = date '{as_of_date}'" if as_of_date else ""
    return query(database, f"select {COMPARED} from {table} {where} order by customer_id")


def test_history_dates_step_back_by_the_interval(history_build: Path) -> None:
    dates = [
        row[0] for row in query(history_build, "select distinct as_of_date from marts.customer_rfm_history")
    ]
    assert sorted(dates) == [dt.date(2025, month, 1) for month in range(7, 13)] + [dt.date(2026, 1, 1)]


@pytest.mark.parametrize("as_of_date", ["2025-08-01", "2025-11-01"])
def test_each_history_date_equals_a_separate_build_at_that_date(
    history_build: Path, transactions: Path, tmp_path: Path, as_of_date: str
) -> None:
    separate = build_project(
        tmp_path / "separate.duckdb", transactions, as_of_date=as_of_date, lookback_days=LOOKBACK_DAYS
    )
    expected = rows_at(separate, "marts.customer_rfm")
    assert len(expected) > 100
    assert rows_at(history_build, "marts.customer_rfm_history", as_of_date) == expected


def test_history_with_purchase_days_and_nested_bins_equals_a_separate_build(
    transactions: Path, tmp_path: Path
) -> None:
    """The backfill sums per-day totals: with frequency_unit day each day counts once, and nested bins are
    drawn within each date's own R scores, as a build at that date draws them."""
    options = {"frequency_unit": "day", "rfm_binning": "nested", **HISTORY}
    history = build_project(
        tmp_path / "history.duckdb", transactions, history_start_date="2025-07-01", **options
    )
    as_of_date = "2025-10-01"
    separate = build_project(
        tmp_path / "separate.duckdb", transactions, **{**options, "as_of_date": as_of_date}
    )
    expected = rows_at(separate, "marts.customer_rfm")
    assert len(expected) > 100
    assert rows_at(history, "marts.customer_rfm_history", as_of_date) == expected
    value_codes = (
        "select customer_id, value_code, segment_level from {} where as_of_date = date '" + as_of_date + "'"
    )
    assert sorted(query(history, value_codes.format("marts.customer_rfm_history"))) == sorted(
        query(separate, value_codes.format("marts.customer_rfm"))
    )


def test_latest_history_date_is_customer_rfm(history_build: Path) -> None:
    assert rows_at(history_build, "marts.customer_rfm_history", AS_OF) == rows_at(
        history_build, "marts.customer_rfm"
    )


def test_migration_matrix_adds_up_to_both_dates(history_build: Path) -> None:
    pairs = query(
        history_build,
        "select from_as_of_date, to_as_of_date, "
        "sum(customers) filter (where from_segment != '(new)'), "
        "sum(customers) filter (where to_segment != '(gone)'), "
        "sum(customers) filter (where from_segment = '(new)'), "
        "sum(customers) filter (where to_segment = '(gone)') "
        "from marts.segment_migration group by all order by 1",
    )
    counts = dict(
        query(history_build, "select as_of_date, count(*) from marts.customer_rfm_history group by all")
    )
    assert len(pairs) == 6
    for from_date, to_date, leaving, arriving, _new, _gone in pairs:
        assert (leaving, arriving) == (counts[from_date], counts[to_date])
    # A 180-day window: customers both appear and fall out of it between months.
    assert sum(row[4] or 0 for row in pairs) > 0 and sum(row[5] or 0 for row in pairs) > 0


def test_segment_trends_put_every_segment_beside_all_customers(history_build: Path) -> None:
    rows = query(
        history_build,
        "select as_of_date, sum(customers) filter (where segment != '(all)'), "
        "sum(customers) filter (where segment = '(all)'), "
        "count(*) filter (where segment = '(all)' and retained_next_period is null) "
        "from marts.segment_trends group by all order by 1",
    )
    assert len(rows) == 7
    for as_of_date, per_segment, overall, no_next in rows:
        assert per_segment == overall
        assert no_next == (1 if as_of_date == dt.date(2026, 1, 1) else 0)


def test_scheduled_runs_accumulate_snapshots(transactions: Path, history_build: Path, tmp_path: Path) -> None:
    database = tmp_path / "scheduled.duckdb"
    for as_of_date in ("2025-11-01", "2025-12-01"):
        build_project(
            database, transactions, as_of_date=as_of_date, lookback_days=LOOKBACK_DAYS, history_snapshots=True
        )
    dates = query(database, "select distinct as_of_date from marts.customer_rfm_history order by 1")
    assert dates == [(dt.date(2025, 11, 1),), (dt.date(2025, 12, 1),)]
    for as_of_date in ("2025-11-01", "2025-12-01"):
        assert rows_at(database, "marts.customer_rfm_history", as_of_date) == rows_at(
            history_build, "marts.customer_rfm_history", as_of_date
        )
    assert query(database, "select count(distinct from_as_of_date) from marts.segment_migration") == [(1,)]


def test_weekly_history(transactions: Path, tmp_path: Path) -> None:
    database = build_project(
        tmp_path / "weekly.duckdb",
        transactions,
        as_of_date=AS_OF,
        history_start_date="2025-12-01",
        history_interval="week",
    )
    dates = [row[0] for row in query(database, "select as_of_date from intermediate.int_history_as_of_dates")]
    assert sorted(dates) == [dt.date(2026, 1, 1) - dt.timedelta(weeks=k) for k in range(4, -1, -1)]


def test_summary_shows_last_periods_movement(history_build: Path) -> None:
    text = render_summary(history_build)
    assert "Movement since 2025-12-01" in text
    movement = text.split("Movement since", 1)[1]
    assert "moved in" in movement and "gone" in movement


def test_without_snapshots_the_history_holds_this_runs_dates(transactions: Path, tmp_path: Path) -> None:
    database = tmp_path / "unscheduled.duckdb"
    for as_of_date in ("2025-11-01", "2025-12-01"):
        build_project(database, transactions, as_of_date=as_of_date, lookback_days=LOOKBACK_DAYS)
    assert query(database, "select distinct as_of_date from marts.customer_rfm_history") == [
        (dt.date(2025, 12, 1),)
    ]
