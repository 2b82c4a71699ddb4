"""Deterministic, vectorised sample transaction logs that behave like real ones.

Customers follow lifecycle archetypes (new, loyal, lapsing, churned, big spenders); amounts are heavy-tailed
(log-normal, Pareto for big spenders); purchases peak before Christmas and on weekends; about 2% of rows are
refunds; and a small share of rows is bad in each of the ways staging quarantines. Everything is numpy or
Arrow compute over whole chunks: no per-row Python.
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


def spoil(
    chunk: dict[str, np.ndarray | pa.Array], customers: Customers, end_date: dt.date, rng: np.random.Generator
) -> pa.Table:
    """Turn the chunk into an Arrow table of text columns with a small share of bad rows of every kind."""
    n_rows = len(chunk["customer"])
    kind = np.full(n_rows, -1)
    draw = rng.random(n_rows)
    bound = 0.0
    for index, share in enumerate(BAD_ROW_SHARE.values()):
        kind[(draw >= bound) & (draw < bound + share)] = index
        bound += share
    missing_customer, bad_time, bad_amount, late, duplicate = (kind == k for k in range(len(BAD_ROW_SHARE)))

    # A duplicate re-sends an earlier row of the same chunk whole (same id, customer, time and amount).
    source = np.arange(n_rows)
    duplicate &= source > 0
    source[duplicate] = (rng.random(int(duplicate.sum())) * source[duplicate]).astype(np.int64)
    customer = chunk["customer"][source]
    transaction_id = chunk["transaction_id"][source]
    amount = chunk["amount"][source]
    transaction_at = chunk["transaction_at"][source]

    # Late rows arrive dated after the sample's end: they are after any as_of_date past end_date.
    late_days = rng.integers(1, 30, size=int(late.sum()))
    end = np.datetime64(end_date, "s")
    transaction_at[late] = end + (late_days * SECONDS_PER_DAY).astype("timedelta64[s]")

    customer_text = pc.take(customers.ids, pa.array(customer))
    time_text = pc.strftime(pa.array(transaction_at), format="%Y-%m-%d %H:%M:%S")
    amount_text = pc.cast(pa.array(amount), pa.string())

    def replace(values: pa.Array, mask: np.ndarray, choices: list[str | None]) -> pa.Array:
        if not mask.any():
            return values
        picked = np.array(choices, dtype=object)[rng.integers(0, len(choices), size=int(mask.sum()))]
        replacement = pa.array(picked.tolist(), type=pa.string())
        positions = np.flatnonzero(mask)
        # Arrow has no vectorised scatter: take from [values, replacement], bad rows pointing past the end.
        index = np.arange(len(values))
        index[positions] = len(values) + np.arange(len(positions))
        return pc.take(pa.concat_arrays([values, replacement]), pa.array(index))

    customer_text = replace(customer_text, missing_customer, [None, "", "   "])
    time_text = replace(time_text, bad_time, [None, "2025-02-30", "2025-13-01 10:00:00", "yesterday", ""])
    amount_text = replace(amount_text, bad_amount, [None, "n/a", "12,50", "", "EUR 10"])

    return pa.table(
        {
            "transaction_id": pa.array(transaction_id),
            "customer_id": customer_text,
            "transaction_at": time_text,
            "amount": amount_text,
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
) -> GenerateResult:
    """Write `transactions` rows for about `customers` customers to `out` (.csv or .parquet)."""
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
            table = spoil(
                generate_chunk(first, size, population, end_date, chunk_rng), population, end_date, chunk_rng
            )
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
    """Parquet carries types: timestamps and amounts are typed, so a bad value can only be null there."""
    time_values = pc.strptime(
        table["transaction_at"], format="%Y-%m-%d %H:%M:%S", unit="s", error_is_null=True
    )
    amount_values = pc.cast(
        pc.if_else(
            pc.match_substring_regex(table["amount"], r"^-?\d+(\.\d+)?$"),
            table["amount"],
            pa.scalar(None, pa.string()),
        ),
        pa.float64(),
    )
    return table.set_column(2, "transaction_at", time_values).set_column(3, "amount", amount_values)


def print_progress(done: int, total: int) -> None:
    width = 30
    filled = int(width * done / total)
    sys.stderr.write(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} rows")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()
