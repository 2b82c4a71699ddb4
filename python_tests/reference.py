"""An independent RFM computation in plain Python, written from the contract rather than from the SQL, to
check the dbt project's numbers against."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

#: Texts that mean "no id" (the project's default var missing_id_tokens), compared trimmed and lowercased.
MISSING_ID_TOKENS = {"null", "none", "nil", "nan", "n/a", "na", "#n/a", "undefined", "-"}
#: Plausible transaction dates (the defaults: 1970-01-01 up to the day after the build runs, UTC).
EARLIEST_PLAUSIBLE = dt.date(1970, 1, 1)


def latest_plausible() -> dt.date:
    return dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)


@dataclass
class Row:
    number: int
    transaction_id: str | None
    customer_id: str | None
    transaction_at: dt.datetime | None
    amount: Decimal | None


@dataclass
class Customer:
    customer_id: str
    recency_days: int | None
    frequency: int
    refunds: int
    monetary: Decimal
    avg_order_value: Decimal | None
    tenure_days: int | None
    r_score: int = 0
    f_score: int = 0
    m_score: int = 0


def clean_id(text: str | None) -> str | None:
    """Trimmed of whitespace and invisible characters (Unicode categories Z, Cc, Cf) at both ends; None for
    blank or a "no id" token."""
    import unicodedata

    value = text or ""
    invisible = lambda char: char.isspace() or unicodedata.category(char) in {"Cc", "Cf", "Zs", "Zl", "Zp"}  # noqa: E731
    start, end = 0, len(value)
    while start < end and invisible(value[start]):
        start += 1
    while end > start and invisible(value[end - 1]):
        end -= 1
    value = value[start:end]
    return None if not value or value.lower() in MISSING_ID_TOKENS else value


def parse_time(text: str | None) -> dt.datetime | None:
    text = (text or "").strip()
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


def parse_amount(text: str | None) -> Decimal | None:
    if "_" in (text or ""):  # Python's Decimal reads digit groups; the contract does not
        return None
    try:
        value = Decimal((text or "").strip())
    except InvalidOperation:
        return None
    return value.quantize(Decimal("0.01")) if value.is_finite() else None


def read_rows(path: Path) -> list[Row]:
    with path.open(newline="") as handle:
        return [
            Row(
                number=number,
                transaction_id=clean_id(record.get("transaction_id")),
                customer_id=clean_id(record["customer_id"]),
                transaction_at=parse_time(record["transaction_at"]),
                amount=parse_amount(record["amount"]),
            )
            for number, record in enumerate(csv.DictReader(handle), start=1)
        ]


def classify(rows: list[Row], as_of: dt.date | None) -> dict[int, str | None]:
    """reject_reason per row number, first matching reason wins; None for a usable row."""
    reasons: dict[int, str | None] = {}
    seen: set[str] = set()
    for row in rows:
        reason = None
        if row.customer_id is None:
            reason = "missing_customer_id"
        elif row.transaction_at is None:
            reason = "invalid_transaction_at"
        elif row.amount is None:
            reason = "invalid_amount"
        elif not EARLIEST_PLAUSIBLE <= row.transaction_at.date() <= latest_plausible():
            reason = "implausible_transaction_at"
        elif as_of is not None and row.transaction_at.date() >= as_of:
            reason = "after_as_of_date"
        elif row.transaction_id is not None and row.transaction_id in seen:
            reason = "duplicate_transaction_id"
        if reason is None and row.transaction_id is not None:
            seen.add(row.transaction_id)
        reasons[row.number] = reason
    return reasons


def aggregate(rows: list[Row], as_of: dt.date, lookback_days: int | None = None) -> dict[str, Customer]:
    start = as_of - dt.timedelta(days=lookback_days) if lookback_days else None
    by_customer: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        assert row.transaction_at is not None and row.customer_id is not None
        if start is None or row.transaction_at.date() >= start:
            by_customer[row.customer_id].append(row)
    customers = {}
    for customer_id, own in by_customer.items():
        purchases = [r for r in own if r.amount is not None and r.amount >= 0]
        dates = [r.transaction_at.date() for r in purchases if r.transaction_at]
        spent = sum((r.amount for r in purchases if r.amount is not None), Decimal(0))
        customers[customer_id] = Customer(
            customer_id=customer_id,
            recency_days=(as_of - max(dates)).days if dates else None,
            frequency=len(purchases),
            refunds=len(own) - len(purchases),
            monetary=sum((r.amount for r in own if r.amount is not None), Decimal(0)),
            avg_order_value=(
                (spent / len(purchases)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                if purchases
                else None
            ),
            tenure_days=(as_of - min(dates)).days if dates else None,
        )
    return customers


def ntile(position: int, count: int, bins: int) -> int:
    """The SQL NTILE bucket (1-based) of a 0-based position: the first count % bins buckets hold one more."""
    size, larger = divmod(count, bins)
    if position < larger * (size + 1):
        return position // (size + 1) + 1
    return larger + (position - larger * (size + 1)) // size + 1


def fair_scores(customers: list[Customer], key: Callable[[Customer], object], bins: int) -> dict[str, int]:
    """Sort worst to best; a tie group takes the NTILE bucket of its first position."""
    ordered = sorted(customers, key=lambda c: (key(c), c.customer_id))
    scores: dict[str, int] = {}
    first_position: dict[object, int] = {}
    for position, customer in enumerate(ordered):
        first_position.setdefault(key(customer), position)
        scores[customer.customer_id] = ntile(first_position[key(customer)], len(ordered), bins)
    return scores


def score(customers: Iterable[Customer], bins: int = 5) -> list[Customer]:
    everyone = list(customers)
    # Worst first: no recency (refunds only) is worst, then the most days since the last purchase.
    recency = fair_scores(everyone, lambda c: (c.recency_days is not None, -(c.recency_days or 0)), bins)
    frequency = fair_scores(everyone, lambda c: c.frequency, bins)
    monetary = fair_scores(everyone, lambda c: c.monetary, bins)
    for customer in everyone:
        customer.r_score = recency[customer.customer_id]
        customer.f_score = frequency[customer.customer_id]
        customer.m_score = 1 if customer.frequency == 0 else monetary[customer.customer_id]
    return everyone


def compute(path: Path, as_of: dt.date | None = None, lookback_days: int | None = None, bins: int = 5):
    """(reject reasons per row, scored customers) for a CSV that follows the contract."""
    rows = read_rows(path)
    reasons = classify(rows, as_of)
    usable = [row for row in rows if reasons[row.number] is None]
    if as_of is None:
        latest = max(row.transaction_at for row in usable if row.transaction_at)
        as_of = latest.date() + dt.timedelta(days=1)
    return reasons, score(aggregate(usable, as_of, lookback_days).values(), bins)
