"""The pandas peer: the same quarantine rules, aggregates and tie-fair NTILE scores, as a user would
write them. Run as `python -m rfm.bench.peer_pandas GLOB parquet|csv SCORES.parquet`: reads the files in name
order, writes each customer's scores and prints the customer count. Input without an amount column is order
lines (`rfm generate --lines`): a line is worth quantity x unit price, (the customer's order_id,
transaction_id) is its key, and one customer's lines of an order are one purchase, as in the dbt project."""

from __future__ import annotations

import glob
import sys

import numpy as np
import pandas as pd

BINS = 5


def ntile(position: np.ndarray, count: int) -> np.ndarray:
    size, larger = divmod(count, BINS)
    big = larger * (size + 1)
    return np.where(position < big, position // (size + 1) + 1, larger + (position - big) // max(size, 1) + 1)


def scores(customers: pd.DataFrame, key: str, ascending: bool) -> pd.Series:
    ordered = customers.sort_values([key, "customer_id"], ascending=[ascending, True], na_position="first")
    bucket = pd.Series(ntile(np.arange(len(ordered)), len(ordered)), index=ordered.index)
    # Every tie group takes the bucket of its first member (NaN keys are one group).
    group = ordered[key].fillna(-np.inf if ascending else np.inf)
    return bucket.groupby(group.values).transform("min")


def ten_thousandths(values: pd.Series) -> pd.Series:
    """An order line's quantity or unit price to 4 decimals (half away from zero), as an integer count."""
    scaled = pd.to_numeric(values, errors="coerce") * 10_000
    return np.trunc(scaled + np.copysign(0.5, scaled)).astype("Int64")


def to_cents(exact: pd.Series) -> pd.Series:
    """An exact sum of line amounts (in 10^-8) to the cent, half away from zero: once, per customer."""
    cents = (exact.abs() + 500_000) // 1_000_000
    return cents.where(exact >= 0, -cents)


def main(path: str, file_format: str, out: str) -> int:
    files = sorted(glob.glob(path))
    if file_format == "csv":
        # Every value as text, as the project reads a CSV (ids keep leading zeros); typed below.
        parts = [pd.read_csv(file, dtype=str, keep_default_na=False, na_values=[""]) for file in files]
    else:
        parts = [pd.read_parquet(file) for file in files]
    raw = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    lines = "amount" not in raw.columns
    customer_id = raw["customer_id"].astype("string").str.strip().replace("", pd.NA)
    transaction_at = pd.to_datetime(raw["transaction_at"], errors="coerce")
    if lines:
        # A line's amount exactly, as an integer in 10^-8: quantity x unit price, each in 10^-4.
        amount = ten_thousandths(raw["quantity"]) * ten_thousandths(raw["unit_price"])
    else:
        # Cents as integers: a sum of floats could split a tie the build's decimals keep.
        amount = (pd.to_numeric(raw["amount"], errors="coerce") * 100).round(0).astype("Int64")
    frame = pd.DataFrame(
        {
            "customer_id": customer_id,
            "transaction_id": raw["transaction_id"],
            "at": transaction_at,
            "amount": amount,
        }
    )
    if lines:
        frame["order_id"] = raw["order_id"].astype("string").str.strip().replace("", pd.NA)
        # An order is its customer's: the same order and line id of another customer is another line.
        frame["order_customer_id"] = frame["customer_id"].where(frame["order_id"].notna())
    key = ["order_id", "transaction_id", "order_customer_id"] if lines else "transaction_id"
    frame = frame.dropna(subset=["customer_id", "at", "amount"])
    frame = frame[frame["transaction_id"].isna() | ~frame.duplicated(key, keep="first")]
    as_of = frame["at"].max().normalize() + pd.Timedelta(days=1)
    if lines:
        # One purchase per customer and order, at its earliest line, worth its lines' sum; a line without
        # order_id is its own purchase (its row number keeps it apart).
        frame["own_row"] = frame.index.where(frame["order_id"].isna())
        frame = (
            frame.groupby(["customer_id", "order_id", "own_row"], dropna=False, sort=False)
            .agg(at=("at", "min"), amount=("amount", "sum"))
            .reset_index()
        )
    frame["purchase"] = frame["amount"] >= 0
    frame["purchase_at"] = frame["at"].where(frame["purchase"])
    customers = (
        frame.groupby("customer_id")
        .agg(
            last_purchase_at=("purchase_at", "max"), frequency=("purchase", "sum"), monetary=("amount", "sum")
        )
        .reset_index()
    )
    if lines:
        customers["monetary"] = to_cents(customers["monetary"])
    customers["recency_days"] = (as_of - customers["last_purchase_at"].dt.normalize()).dt.days
    customers["monetary_key"] = customers["monetary"].astype("float64").where(customers["frequency"] > 0)
    customers["r_score"] = scores(customers, "recency_days", ascending=False)
    customers["f_score"] = scores(customers, "frequency", ascending=True)
    customers["m_score"] = scores(customers, "monetary_key", ascending=True)
    result = customers[["customer_id", "r_score", "f_score", "m_score"]]
    result.astype({"customer_id": str}).to_parquet(out, index=False)
    print(len(customers))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
