"""The segment summary the main command ends with, read from the built marts."""

from __future__ import annotations

from pathlib import Path

import duckdb

SUMMARY_SQL = """
select
    segment,
    segment_level as "level",
    customers,
    round(100 * share_of_customers, 1) as "customers %",
    revenue,
    round(100 * share_of_revenue, 1) as "revenue %",
    round(avg_recency_days, 0) as "avg recency (days)",
    round(avg_frequency, 1) as "avg frequency",
    avg_monetary as "avg monetary",
    segment_action as "action"
from marts.rfm_segment_summary
order by segment_priority
"""


MOVEMENT_SQL = """
with

latest as (
    select max(to_as_of_date) as to_as_of_date from marts.segment_migration
),

moves as (
    select segment_migration.*
    from marts.segment_migration
    inner join latest on segment_migration.to_as_of_date = latest.to_as_of_date
),

segments as (
    select segment, segment_priority from marts.rfm_segment_summary
)

select
    segments.segment,
    coalesce(sum(moves.customers) filter (where moves.from_segment = segments.segment), 0) as "before",
    coalesce(sum(moves.customers) filter (
        where moves.from_segment = segments.segment and moves.to_segment = segments.segment
    ), 0) as "stayed",
    coalesce(sum(moves.customers) filter (
        where moves.to_segment = segments.segment and moves.from_segment not in (segments.segment, '(new)')
    ), 0) as "moved in",
    coalesce(sum(moves.customers) filter (
        where moves.to_segment = segments.segment and moves.from_segment = '(new)'
    ), 0) as "new",
    coalesce(sum(moves.customers) filter (
        where moves.from_segment = segments.segment and moves.to_segment not in (segments.segment, '(gone)')
    ), 0) as "moved out",
    coalesce(sum(moves.customers) filter (
        where moves.from_segment = segments.segment and moves.to_segment = '(gone)'
    ), 0) as "gone",
    coalesce(sum(moves.customers) filter (where moves.to_segment = segments.segment), 0) as "now"
from segments
cross join moves
group by segments.segment, segments.segment_priority
order by segments.segment_priority
"""


def read_movement(database: Path) -> tuple[str | None, list[str], list[tuple[object, ...]]]:
    """Last period's movement per segment: (from date, columns, rows); no date with one as-of date only."""
    with duckdb.connect(str(database), read_only=True) as connection:
        from_date = connection.execute("select max(from_as_of_date) from marts.segment_migration").fetchall()[
            0
        ][0]
        if from_date is None:
            return None, [], []
        cursor = connection.execute(MOVEMENT_SQL)
        return str(from_date), [column[0] for column in cursor.description], cursor.fetchall()


def read_summary(database: Path) -> tuple[list[str], list[tuple[object, ...]]]:
    with duckdb.connect(str(database), read_only=True) as connection:
        cursor = connection.execute(SUMMARY_SQL)
        return [column[0] for column in cursor.description], cursor.fetchall()


def read_run_facts(database: Path) -> dict[str, object]:
    with duckdb.connect(str(database), read_only=True) as connection:
        as_of_date, customers = connection.execute(
            "select max(as_of_date), count(*) from marts.customer_rfm"
        ).fetchall()[0]
        rejected = connection.execute(
            "select reject_reason, count(*) from staging.rejected_transactions group by 1 order by 2 desc, 1"
        ).fetchall()
        staged = connection.execute("select count(*) from staging.stg_transactions").fetchall()[0][0]
    return {"as_of_date": as_of_date, "customers": customers, "staged": staged, "rejected": dict(rejected)}


def read_guard_warnings(database: Path) -> list[str]:
    """The reject-rate guard's warnings of the last build (the whole input's first), or none (also for a
    database built before the guard existed)."""
    with duckdb.connect(str(database), read_only=True) as connection:
        try:
            rows = connection.execute(
                "select guard_message from intermediate.int_rejections_aggregated_to_reasons"
                " where guard_status = 'warn'"
                " order by source_file = '(all)' desc, reject_reason = '(all)' desc, reject_share desc,"
                " source_file, reject_reason"
            ).fetchall()
        except duckdb.CatalogException:
            return []
    return [message for (message,) in rows]


def format_table(columns: list[str], rows: list[tuple[object, ...]], max_width: int = 40) -> str:
    """A plain-text table: numbers right-aligned with thousands separators, text left-aligned and clipped."""

    def cell(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, int):
            return f"{value:,}"
        if isinstance(value, float):
            return f"{value:,.1f}"
        if hasattr(value, "as_tuple"):  # Decimal
            return f"{value:,.2f}"
        text = str(value)
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    rendered = [[cell(v) for v in row] for row in rows]
    numeric = [
        all(isinstance(row[i], (int, float)) or hasattr(row[i], "as_tuple") or row[i] is None for row in rows)
        for i in range(len(columns))
    ]
    widths = [max([len(c)] + [len(r[i]) for r in rendered]) for i, c in enumerate(columns)]

    def line(values: list[str]) -> str:
        cells = (v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric, strict=True))
        return "  ".join(cells).rstrip()

    return "\n".join([line(columns), line(["-" * w for w in widths]), *(line(r) for r in rendered)])


def render_summary(database: Path) -> str:
    facts = read_run_facts(database)
    columns, rows = read_summary(database)
    rejected = facts["rejected"]
    assert isinstance(rejected, dict)
    reasons = ", ".join(f"{reason} {count:,}" for reason, count in rejected.items()) or "none"
    header = (
        f"RFM segments as of {facts['as_of_date']} (exclusive): {facts['customers']:,} customers from "
        f"{facts['staged']:,} transactions; rejected: {reasons}."
    )
    from_date, movement_columns, movement = read_movement(database)
    if from_date is None:
        moved = (
            "No earlier as-of date in customer_rfm_history yet: backfill with var history_start_date, or run "
            "on a schedule, to see how customers move between segments."
        )
    else:
        moved = (
            f"Movement since {from_date} (segment_migration; new = first seen, gone = out of the lookback "
            f"window):\n\n{format_table(movement_columns, movement)}"
        )
    warnings = "".join(f"\nWarning: {message}" for message in read_guard_warnings(database))
    return f"{header}{warnings}\n\n{format_table(columns, rows)}\n\n{moved}"
