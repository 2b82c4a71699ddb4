"""The polars peer: the same quarantine rules, aggregates and tie-fair NTILE scores, as a user would
write them. Run as `python -m rfm.bench.peer_polars GLOB parquet|csv SCORES.parquet`: reads the files in name
order, writes each customer's scores and prints the customer count. Input without an amount column is order
lines (`rfm generate --lines`): a line is worth quantity x unit price, (the customer's order_id,
transaction_id) is its key, and one customer's lines of an order are one purchase, as in the dbt project."""

from __future__ import annotations

import sys

import polars as pl

BINS = 5


def scores(customers: pl.LazyFrame, key: str, descending: bool) -> pl.LazyFrame:
    ordered = customers.sort([key, "customer_id"], descending=[descending, False], nulls_last=False)
    n = pl.len()
    size, larger = n // BINS, n % BINS
    position = pl.int_range(pl.len())
    bucket = (
        pl.when(position < larger * (size + 1))
        .then(position // (size + 1) + 1)
        .otherwise(larger + (position - larger * (size + 1)) // pl.max_horizontal(size, 1) + 1)
    )
    return (
        ordered.with_columns(bucket.alias("bucket"))
        .with_columns(pl.col("bucket").min().over(key).alias(f"{key}_score"))
        .select("customer_id", f"{key}_score")
    )


def ten_thousandths(name: str) -> pl.Expr:
    """An order line's quantity or unit price to 4 decimals (half away from zero), as an integer count."""
    value = pl.col(name).cast(pl.Float64, strict=False) * 10_000
    return value.round(0, mode="half_away_from_zero").cast(pl.Int64)


def to_cents(exact: pl.Expr) -> pl.Expr:
    """An exact sum of line amounts (in 10^-8) to the cent, half away from zero: once, per customer."""
    cents = (exact.abs() + 500_000) // 1_000_000
    return pl.when(exact >= 0).then(cents).otherwise(-cents)


def main(path: str, file_format: str, out: str) -> int:
    # A CSV's values all as text, as the project reads it (ids keep leading zeros); typed below.
    text = file_format == "csv"
    scanned = pl.scan_csv(path, infer_schema=False) if text else pl.scan_parquet(path)
    lines = "amount" not in scanned.collect_schema().names()
    raw = scanned.with_row_index("source_row_number")
    transaction_at = pl.col("transaction_at")
    if lines:
        # A line's amount exactly, as an integer in 10^-8: quantity x unit price, each in 10^-4.
        values = [
            pl.col("order_id").cast(pl.String).str.strip_chars().replace("", None),
            (ten_thousandths("quantity") * ten_thousandths("unit_price")).alias("amount"),
        ]
    else:
        # Cents as integers: a sum of floats could split a tie the build's decimals keep.
        cents = (pl.col("amount").cast(pl.Float64, strict=False) * 100).round(0).cast(pl.Int64)
        values = [cents.alias("amount")]
    parsed = raw.select(
        "source_row_number",
        pl.col("customer_id").cast(pl.String).str.strip_chars().replace("", None),
        pl.col("transaction_id").cast(pl.String),
        (transaction_at.str.to_datetime(strict=False) if text else transaction_at)
        .cast(pl.Datetime("us"), strict=False)
        .alias("transaction_at"),
        *values,
    )
    # An order is its customer's: the same order and line id of another customer is another line.
    order_customer = pl.when(pl.col("order_id").is_not_null()).then(pl.col("customer_id"))
    line_key = [pl.col("order_id"), pl.col("transaction_id"), order_customer]
    key = line_key if lines else pl.col("transaction_id")
    valid = parsed.filter(
        pl.col("customer_id").is_not_null()
        & pl.col("transaction_at").is_not_null()
        & pl.col("amount").is_not_null()
    ).filter(
        pl.col("transaction_id").is_null()
        | (pl.col("source_row_number") == pl.col("source_row_number").min().over(key))
    )
    as_of = valid.select((pl.col("transaction_at").max().dt.date() + pl.duration(days=1)).alias("as_of_date"))
    purchases, monetary = valid, pl.col("amount").sum()
    if lines:
        # One purchase per customer and order, at its earliest line, worth its lines' sum; a line without
        # order_id is its own purchase (its row number keeps it apart).
        own = pl.when(pl.col("order_id").is_null()).then("source_row_number").alias("own_row")
        purchases = valid.group_by("customer_id", "order_id", own).agg(
            pl.col("transaction_at").min(), pl.col("amount").sum()
        )
        monetary = to_cents(monetary)
    purchase = pl.col("amount") >= 0
    customers = (
        purchases.group_by("customer_id")
        .agg(
            pl.col("transaction_at").filter(purchase).max().alias("last_purchase_at"),
            purchase.sum().alias("frequency"),
            monetary.alias("monetary"),
        )
        .join(as_of, how="cross")
        .select(
            "customer_id",
            (pl.col("as_of_date") - pl.col("last_purchase_at").dt.date())
            .dt.total_days()
            .alias("recency_days"),
            "frequency",
            pl.when(pl.col("frequency") > 0).then(pl.col("monetary")).alias("monetary_key"),
        )
    )
    result = (
        scores(customers, "recency_days", descending=True)
        .join(scores(customers, "frequency", descending=False), on="customer_id")
        .join(scores(customers, "monetary_key", descending=False), on="customer_id")
        .rename(
            {"recency_days_score": "r_score", "frequency_score": "f_score", "monetary_key_score": "m_score"}
        )
        .collect()
    )
    result.write_parquet(out)
    print(result.height)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
