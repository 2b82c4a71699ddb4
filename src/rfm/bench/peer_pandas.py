"""The pandas peer: the same quarantine rules, aggregates and tie-fair NTILE scores, as a user would
write them. Run as `python -m rfm.bench.peer_pandas FILE.parquet`; prints the customer count."""

from __future__ import annotations

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


def main(path: str) -> int:
    raw = pd.read_parquet(path)
    customer_id = raw["customer_id"].astype("string").str.strip().replace("", pd.NA)
    transaction_at = pd.to_datetime(raw["transaction_at"], errors="coerce")
    amount = pd.to_numeric(raw["amount"], errors="coerce").round(2)
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
    customers["monetary_key"] = customers["monetary"].where(customers["frequency"] > 0)
    customers["r_score"] = scores(customers, "recency_days", ascending=False)
    customers["f_score"] = scores(customers, "frequency", ascending=True)
    customers["m_score"] = scores(customers, "monetary_key", ascending=True)
    print(len(customers))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
