"""Deterministic, vectorised sample transaction logs that behave like real ones.

Customers follow lifecycle archetypes (new, loyal, lapsing, churned, big spenders); amounts are heavy-tailed
(log-normal, Pareto for big spenders); purchases peak before Christmas and on weekends; about 2% of rows are
refunds; and a small share of rows is bad in each of the ways staging quarantines. Everything is numpy or
Arrow compute over whole chunks: no per-row Python.

With `lines=True` a row is an order line instead (order_id, transaction_id = the line's number in its order,
quantity, unit_price; no amount): orders of 1 to MAX_ORDER_LINES lines, some lines booked minutes after the
order's first, a few unit prices below a cent, and cancellations (a later order of the same customer taking
back some of an earlier order's lines with negative quantities).
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

SECONDS_PER_DAY = 86_400
HISTORY_DAYS = 3 * 365
CHUNK_ROWS = 2_000_000
REFUND_SHARE = 0.02
#: Share of rows made bad, per kind (each kind well under 1% so the sample stays realistic).
BAD_ROW_SHARE = {
    "missing_customer_id": 0.002,
    "invalid_transaction_at": 0.002,
    "invalid_amount": 0.002,
    "after_as_of_date": 0.001,
    "duplicate_transaction_id": 0.003,
}

#: Order lines: lines per order are 1 + a geometric count (mean 2.5 before the cap).
MAX_ORDER_LINES = 8
LINES_PER_ORDER_P = 0.4
#: Share of orders drawn to cancel an earlier order of the same customer; about half find one with as many
#: lines, so about 2% of orders are cancellations (as REFUND_SHARE of rows is refunds).
CANCELLATION_SHARE = 2 * REFUND_SHARE
#: Share of lines booked a few minutes after their order's first (an order is dated by its earliest line).
LATER_LINE_SHARE = 0.1
#: Share of unit prices with four decimals (0.0425): a line is worth quantity x unit price, exactly.
FINE_PRICE_SHARE = 0.03

ARCHETYPES = ("new", "loyal", "lapsing", "churned", "big_spender")
ARCHETYPE_SHARE = np.array([0.15, 0.25, 0.20, 0.35, 0.05])
#: Relative purchase rate per active day, per archetype.
ARCHETYPE_RATE = np.array([1.5, 3.0, 1.5, 1.0, 2.5])
#: Median amount, per archetype.
ARCHETYPE_AMOUNT = np.array([35.0, 45.0, 40.0, 30.0, 250.0])


@dataclass(frozen=True)
class Customers:
    """Per-customer parameters, indexed by customer number."""

    ids: pa.Array
    start_day: np.ndarray
    active_days: np.ndarray
    median_amount: np.ndarray
    cumulative_weight: np.ndarray


@dataclass(frozen=True)
class GenerateResult:
    path: Path
    rows: int
    customers: int
    end_date: dt.date
    seconds: float


def default_end_date() -> dt.date:
    """The sample's last day: fixed, so the same seed gives the same file on any day."""
    return dt.date(2025, 12, 31)


def make_customers(n_customers: int, rng: np.random.Generator) -> Customers:
    archetype = rng.choice(len(ARCHETYPES), size=n_customers, p=ARCHETYPE_SHARE)
    new, loyal, lapsing, churned, big = (archetype == k for k in range(len(ARCHETYPES)))

    start = rng.integers(0, HISTORY_DAYS - 90, size=n_customers)
    start[new] = rng.integers(HISTORY_DAYS - 90, HISTORY_DAYS, size=int(new.sum()))
    end = np.full(n_customers, HISTORY_DAYS)
    # Lapsing customers stopped 3 to 9 months ago; churned ones were active for up to a year, long ago.
    end[lapsing] = HISTORY_DAYS - rng.integers(90, 270, size=int(lapsing.sum()))
    start[churned] = rng.integers(0, HISTORY_DAYS - 500, size=int(churned.sum()))
    end[churned] = start[churned] + rng.integers(1, 365, size=int(churned.sum()))
    start = np.minimum(start, end - 1)
    active_days = np.maximum(end - start, 1)

    # Heavy-tailed propensity within each archetype: a few customers buy far more often than the rest.
    weight = ARCHETYPE_RATE[archetype] * active_days * rng.lognormal(0.0, 1.0, size=n_customers)
    median_amount = ARCHETYPE_AMOUNT[archetype] * rng.lognormal(0.0, 0.4, size=n_customers)
    del loyal, big

    width = max(7, len(str(n_customers)))
    # Zero-padded text ids: leading zeros must survive the pipeline.
    ids = pc.utf8_lpad(pc.cast(pa.array(np.arange(1, n_customers + 1)), pa.string()), width, "0")
    return Customers(
        ids=ids,
        start_day=start,
        active_days=active_days,
        median_amount=median_amount,
        cumulative_weight=np.cumsum(weight) / weight.sum(),
    )


def seasonal_days(customer: np.ndarray, customers: Customers, rng: np.random.Generator) -> np.ndarray:
    """Day index in the history for each row: uniform in the customer's active span, thinned by season."""
    days = np.empty(len(customer), dtype=np.int64)
    todo = np.arange(len(customer))
    while len(todo):
        candidate = customers.start_day[customer[todo]] + (
            rng.random(len(todo)) * customers.active_days[customer[todo]]
        ).astype(np.int64)
        day_of_year = candidate % 365
        weekday = candidate % 7
        # A November-December peak up to +80%, and busier weekends (+25%); accept with weight / max weight.
        weight = (1.0 + 0.8 * np.exp(-(((day_of_year - 340) / 25.0) ** 2))) * np.where(
            weekday >= 5, 1.25, 1.0
        )
        accepted = rng.random(len(todo)) * 2.25 < weight
        days[todo[accepted]] = candidate[accepted]
        todo = todo[~accepted]
    return days


def generate_chunk(
    first_row: int,
    n_rows: int,
    customers: Customers,
    end_date: dt.date,
    rng: np.random.Generator,
) -> dict[str, np.ndarray | pa.Array]:
    n_customers = len(customers.start_day)
    row = np.arange(first_row, first_row + n_rows)
    # The first n_customers rows give every customer one transaction; the rest follow the propensities.
    customer = np.searchsorted(customers.cumulative_weight, rng.random(n_rows), side="right")
    customer = np.minimum(customer, n_customers - 1)
    customer = np.where(row < n_customers, row % max(n_customers, 1), customer)

    day = seasonal_days(customer, customers, rng)
    seconds = rng.integers(8 * 3600, 22 * 3600, size=n_rows)
    start = np.datetime64(end_date - dt.timedelta(days=HISTORY_DAYS - 1), "s")
    transaction_at = start + (day * SECONDS_PER_DAY + seconds).astype("timedelta64[s]")

    amount = customers.median_amount[customer] * rng.lognormal(0.0, 0.7, size=n_rows)
    amount = np.round(amount, 2)
    refund = rng.random(n_rows) < REFUND_SHARE
    amount = np.where(refund, -np.round(amount * rng.uniform(0.2, 1.0, size=n_rows), 2), amount)

    return {
        "transaction_id": row + 1,
        "customer": customer,
        "transaction_at": transaction_at,
        "amount": amount,
    }


def bad_row_kinds(n_rows: int, rng: np.random.Generator) -> list[np.ndarray]:
    """One mask per kind of BAD_ROW_SHARE, in its order; a row is bad in at most one way."""
    kind = np.full(n_rows, -1)
    draw = rng.random(n_rows)
    bound = 0.0
    for index, share in enumerate(BAD_ROW_SHARE.values()):
        kind[(draw >= bound) & (draw < bound + share)] = index
        bound += share
    return [kind == k for k in range(len(BAD_ROW_SHARE))]


def copy_sources(duplicate: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Per row, the row whose values it carries: itself, or for a duplicate an earlier row of the chunk (the
    first row cannot be one: `duplicate` is cleared there)."""
    source = np.arange(len(duplicate))
    duplicate &= source > 0
    source[duplicate] = (rng.random(int(duplicate.sum())) * source[duplicate]).astype(np.int64)
    return source


def arrive_late(
    transaction_at: np.ndarray, late: np.ndarray, end_date: dt.date, rng: np.random.Generator
) -> None:
    """Late rows arrive dated after the sample's end: they are after any as_of_date past end_date."""
    late_days = rng.integers(1, 30, size=int(late.sum()))
    end = np.datetime64(end_date, "s")
    transaction_at[late] = end + (late_days * SECONDS_PER_DAY).astype("timedelta64[s]")


def replace(
    values: pa.Array, mask: np.ndarray, choices: list[str | None], rng: np.random.Generator
) -> pa.Array:
    """`values` with the rows of `mask` replaced by texts drawn from `choices`."""
    if not mask.any():
        return values
    picked = np.array(choices, dtype=object)[rng.integers(0, len(choices), size=int(mask.sum()))]
    replacement = pa.array(picked.tolist(), type=pa.string())
    positions = np.flatnonzero(mask)
    # Arrow has no vectorised scatter: take from [values, replacement], bad rows pointing past the end.
    index = np.arange(len(values))
    index[positions] = len(values) + np.arange(len(positions))
    return pc.take(pa.concat_arrays([values, replacement]), pa.array(index))


MISSING_CUSTOMER_TEXTS = [None, "", "   "]
BAD_TIME_TEXTS = [None, "2025-02-30", "2025-13-01 10:00:00", "yesterday", ""]
BAD_AMOUNT_TEXTS = [None, "n/a", "12,50", "", "EUR 10"]
BAD_QUANTITY_TEXTS = [None, "", "two", "1_0", "1,5"]


def spoil(
    chunk: dict[str, np.ndarray | pa.Array], customers: Customers, end_date: dt.date, rng: np.random.Generator
) -> pa.Table:
    """Turn the chunk into an Arrow table of text columns with a small share of bad rows of every kind."""
    n_rows = len(chunk["customer"])
    missing_customer, bad_time, bad_amount, late, duplicate = bad_row_kinds(n_rows, rng)

    # A duplicate re-sends an earlier row of the same chunk whole (same id, customer, time and amount).
    source = copy_sources(duplicate, rng)
    customer = chunk["customer"][source]
    transaction_id = chunk["transaction_id"][source]
    amount = chunk["amount"][source]
    transaction_at = chunk["transaction_at"][source]
    arrive_late(transaction_at, late, end_date, rng)

    customer_text = pc.take(customers.ids, pa.array(customer))
    time_text = pc.strftime(pa.array(transaction_at), format="%Y-%m-%d %H:%M:%S")
    amount_text = pc.cast(pa.array(amount), pa.string())

    customer_text = replace(customer_text, missing_customer, MISSING_CUSTOMER_TEXTS, rng)
    time_text = replace(time_text, bad_time, BAD_TIME_TEXTS, rng)
    amount_text = replace(amount_text, bad_amount, BAD_AMOUNT_TEXTS, rng)

    return pa.table(
        {
            "transaction_id": pa.array(transaction_id),
            "customer_id": customer_text,
            "transaction_at": time_text,
            "amount": amount_text,
        }
    )


def generate_lines_chunk(
    first_row: int,
    n_rows: int,
    customers: Customers,
    end_date: dt.date,
    rng: np.random.Generator,
) -> dict[str, np.ndarray | pa.Array]:
    """`n_rows` order lines; orders are numbered from first_row + 1 (fewer orders than lines: numbers of
    different chunks never meet), the chunk's last order cut to fit."""
    n_customers = len(customers.start_day)
    per_order = np.minimum(rng.geometric(LINES_PER_ORDER_P, size=n_rows), MAX_ORDER_LINES)
    n_orders = int(np.searchsorted(np.cumsum(per_order), n_rows)) + 1
    per_order = per_order[:n_orders]
    per_order[-1] -= per_order.sum() - n_rows
    first_line = np.cumsum(per_order) - per_order
    order = np.repeat(np.arange(n_orders), per_order)
    line_number = np.arange(n_rows) - first_line[order] + 1

    # The first n_customers orders give every customer one; the rest follow the propensities.
    number = first_row + np.arange(n_orders) + 1
    customer = np.searchsorted(customers.cumulative_weight, rng.random(n_orders), side="right")
    customer = np.minimum(customer, n_customers - 1)
    customer = np.where(number <= n_customers, number - 1, customer)
    day = seasonal_days(customer, customers, rng)
    seconds = rng.integers(8 * 3600, 22 * 3600, size=n_orders)

    # A cancellation takes back an earlier order of the same customer 1 to 29 days later, within the history:
    # line by line (so only an order with as many lines, and not itself a cancellation).
    cancels = (rng.random(n_orders) < CANCELLATION_SHARE) & (number > n_customers) & (np.arange(n_orders) > 0)
    source = np.arange(n_orders)
    source[cancels] = (rng.random(int(cancels.sum())) * source[cancels]).astype(np.int64)
    cancels &= ~cancels[source] & (per_order[source] >= per_order)
    source[~cancels] = np.flatnonzero(~cancels)
    customer = np.where(cancels, customer[source], customer)
    delay = rng.integers(1, 30, size=n_orders)
    day = np.where(cancels, np.minimum(day[source] + delay, HISTORY_DAYS - 1), day)

    # A line is worth about the customer's median amount over a typical order's lines.
    quantity = np.minimum(rng.geometric(0.6, size=n_rows), 24)
    price = customers.median_amount[customer[order]] * rng.lognormal(0.0, 0.7, size=n_rows) / (2.0 * quantity)
    fine = rng.random(n_rows) < FINE_PRICE_SHARE
    price = np.maximum(np.where(fine, np.round(price, 4), np.round(price, 2)), 0.01)
    # A cancellation line takes back all or half of the same line of the order it cancels, at its price.
    cancelled = cancels[order]
    source_line = first_line[source[order]] + line_number - 1
    share = rng.integers(1, 3, size=n_rows)
    quantity = np.where(cancelled, -np.maximum(quantity[source_line] // share, 1), quantity)
    price = np.where(cancelled, price[source_line], price)

    later = np.where(rng.random(n_rows) < LATER_LINE_SHARE, rng.integers(60, 900, size=n_rows), 0)
    start = np.datetime64(end_date - dt.timedelta(days=HISTORY_DAYS - 1), "s")
    transaction_at = start + ((day * SECONDS_PER_DAY + seconds)[order] + later).astype("timedelta64[s]")

    number_text = pc.cast(pa.array(number), pa.string())
    order_text = pc.if_else(pa.array(cancels), pc.binary_join_element_wise("C", number_text, ""), number_text)
    return {
        "order_id": pc.take(order_text, pa.array(order)),
        "transaction_id": line_number,
        "customer": customer[order],
        "transaction_at": transaction_at,
        "quantity": quantity,
        "unit_price": price,
    }


def spoil_lines(
    chunk: dict[str, np.ndarray | pa.Array], customers: Customers, end_date: dt.date, rng: np.random.Generator
) -> pa.Table:
    """spoil() for order lines: a bad amount is a bad quantity or unit price, a duplicate an earlier line
    re-sent whole (the same order and line number)."""
    n_rows = len(chunk["customer"])
    missing_customer, bad_time, bad_value, late, duplicate = bad_row_kinds(n_rows, rng)
    source = copy_sources(duplicate, rng)
    transaction_at = chunk["transaction_at"][source]
    arrive_late(transaction_at, late, end_date, rng)

    customer_text = pc.take(customers.ids, pa.array(chunk["customer"][source]))
    time_text = pc.strftime(pa.array(transaction_at), format="%Y-%m-%d %H:%M:%S")
    quantity_text = pc.cast(pa.array(chunk["quantity"][source]), pa.string())
    price_text = pc.cast(pa.array(chunk["unit_price"][source]), pa.string())
    bad_quantity = bad_value & (rng.random(n_rows) < 0.5)

    customer_text = replace(customer_text, missing_customer, MISSING_CUSTOMER_TEXTS, rng)
    time_text = replace(time_text, bad_time, BAD_TIME_TEXTS, rng)
    quantity_text = replace(quantity_text, bad_quantity, BAD_QUANTITY_TEXTS, rng)
    price_text = replace(price_text, bad_value & ~bad_quantity, BAD_AMOUNT_TEXTS, rng)

    return pa.table(
        {
            "order_id": pc.take(chunk["order_id"], pa.array(source)),
            "transaction_id": pa.array(chunk["transaction_id"][source]),
            "customer_id": customer_text,
            "transaction_at": time_text,
            "quantity": quantity_text,
            "unit_price": price_text,
        }
    )


def chunks(total: int, size: int) -> Iterator[tuple[int, int]]:
    for first in range(0, total, size):
        yield first, min(size, total - first)


def generate(
    out: Path,
    transactions: int,
    customers: int,
    seed: int = 42,
    end_date: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
    lines: bool = False,
) -> GenerateResult:
    """Write `transactions` rows for about `customers` customers to `out` (.csv or .parquet); with `lines`,
    rows are order lines (order_id, transaction_id, quantity, unit_price; no amount)."""
    if transactions < 1 or customers < 1:
        raise ValueError("transactions and customers must both be at least 1.")
    suffix = "".join(out.suffixes[-2:]).lower() if out.suffix.lower() == ".gz" else out.suffix.lower()
    if suffix not in {".csv", ".parquet"}:
        raise ValueError(f"--out must end in .csv or .parquet, got '{out.name}'.")
    end_date = end_date or default_end_date()
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    population = make_customers(customers, rng)
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.partial")

    writer: pq.ParquetWriter | pa_csv.CSVWriter | None = None
    written = 0
    try:
        for first, size in chunks(transactions, CHUNK_ROWS):
            chunk_rng = np.random.default_rng([seed, first])
            if lines:
                chunk = generate_lines_chunk(first, size, population, end_date, chunk_rng)
                table = spoil_lines(chunk, population, end_date, chunk_rng)
            else:
                chunk = generate_chunk(first, size, population, end_date, chunk_rng)
                table = spoil(chunk, population, end_date, chunk_rng)
            if suffix == ".parquet":
                table = typed_for_parquet(table)
                writer = writer or pq.ParquetWriter(temporary, table.schema, compression="zstd")
            else:
                writer = writer or pa_csv.CSVWriter(temporary, table.schema)
            writer.write_table(table)
            written += size
            if progress:
                progress(written, transactions)
    finally:
        if writer is not None:
            writer.close()
    temporary.replace(out)
    return GenerateResult(out, written, customers, end_date, time.perf_counter() - started)


def typed_for_parquet(table: pa.Table) -> pa.Table:
    """Parquet carries types: timestamps and numbers (amount, or quantity and unit_price) are typed, so a bad
    value can only be null there."""
    time_values = pc.strptime(
        table["transaction_at"], format="%Y-%m-%d %H:%M:%S", unit="s", error_is_null=True
    )
    table = table.set_column(table.schema.get_field_index("transaction_at"), "transaction_at", time_values)
    for name in ("amount", "quantity", "unit_price"):
        if name in table.column_names:
            values = pc.cast(
                pc.if_else(
                    pc.match_substring_regex(table[name], r"^-?\d+(\.\d+)?$"),
                    table[name],
                    pa.scalar(None, pa.string()),
                ),
                pa.float64(),
            )
            table = table.set_column(table.schema.get_field_index(name), name, values)
    return table


def print_progress(done: int, total: int) -> None:
    width = 30
    filled = int(width * done / total)
    sys.stderr.write(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} rows")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()
