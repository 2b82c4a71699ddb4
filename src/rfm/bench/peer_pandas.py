"""The pandas peer: the same quarantine rules, aggregates and tie-fair NTILE scores, as a user would
write them. Run as `python -m rfm.bench.peer_pandas GLOB parquet|csv SCORES.parquet`: reads the files in name
order, writes each customer's scores and prints the customer count."""

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


def main(path: str, file_format: str, out: str) -> int:
    files = sorted(glob.glob(path))
    if file_format == "csv":
        # Every value as text, as the project reads a CSV (ids keep leading zeros); typed below.
        parts = [pd.read_csv(file, dtype=str, keep_default_na=False, na_values=[""]) for file in files]
    else:
        parts = [pd.read_parquet(file) for file in files]
    raw = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    customer_id = raw["customer_id"].astype("string").str.strip().replace("", pd.NA)
    transaction_at = pd.to_datetime(raw["transaction_at"], errors="coerce")
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
    frame = frame.dropna(subset=["customer_id", "at", "amount"])
    frame = frame[frame["transaction_id"].isna() | ~frame.duplicated("transaction_id", keep="first")]
    as_of = frame["at"].max().normalize() + pd.Timedelta(days=1)
    frame["purchase"] = frame["amount"] >= 0
    frame["purchase_at"] = frame["at"].where(frame["purchase"])
    customers = (
        frame.groupby("customer_id")
        .agg(
            last_purchase_at=("purchase_at", "max"), frequency=("purchase", "sum"), monetary=("amount", "sum")
        )
        .reset_index()
    )
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
