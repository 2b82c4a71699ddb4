"""An independent RFM computation in plain Python, written from the contract rather than from the SQL, to
check the dbt project's numbers against.

Rows may be order lines: accepted rows sharing (customer_id, order_id) are one purchase, at its earliest
line's time, worth the exact sum of its lines; a row without order_id is its own purchase. Without an amount
column a line is worth quantity * unit_price, exactly."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

#: Texts that mean "no id" (the project's default var missing_id_tokens), compared trimmed and lowercased.
MISSING_ID_TOKENS = {"null", "none", "nil", "nan", "n/a", "na", "#n/a", "undefined", "-"}
#: Plausible transaction dates (the defaults: 1970-01-01 up to the day after the build runs, UTC).
EARLIEST_PLAUSIBLE = dt.date(1970, 1, 1)
CENT = Decimal("0.01")
#: quantity and unit_price are kept to 4 decimals.
QUANTITY_PLACES = Decimal("0.0001")
IDENTICAL_ROWS = ("keep", "reject")


def latest_plausible() -> dt.date:
    return dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)


@dataclass
class Row:
    number: int
    transaction_id: str | None
    customer_id: str | None
    transaction_at: dt.datetime | None
    amount: Decimal | None
    order_id: str | None = None
    quantity: Decimal | None = None
    unit_price: Decimal | None = None

    def values(self) -> tuple[object, ...]:
        """Every parsed contract value: rows equal here are identical rows."""
        return (
            self.customer_id,
            self.transaction_at,
            self.amount,
            self.transaction_id,
            self.order_id,
            self.quantity,
            self.unit_price,
        )


@dataclass
class Purchase:
    """An order (the accepted lines of one customer_id and order_id) or a row without order_id."""

    customer_id: str
    at: dt.datetime
    amount: Decimal


@dataclass
class Customer:
    customer_id: str
    recency_days: int | None
    frequency: int
    refunds: int
    monetary: Decimal
    avg_order_value: Decimal | None
    tenure_days: int | None
    #: Days from the first purchase date to the last over (purchases - 1); None with fewer than two.
    avg_days_between_purchases: float | None = None
    r_score: int = 0
    f_score: int = 0
    m_score: int = 0
    #: R, F and M high (1) or low (0), e.g. '101'.
    value_code: str = ""
    rfm_score: Decimal = Decimal(0)


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


def parse_time(text: str | None, time_format: str | None = None) -> dt.datetime | None:
    """ISO 8601 text, or text in `time_format` (var transaction_at_format, a strptime format)."""
    text = (text or "").strip()
    iso = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d")
    for pattern in [time_format] if time_format else iso:
        try:
            return dt.datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


def parse_number(text: str | None, places: Decimal) -> Decimal | None:
    """A plain number, trimmed, rounded half away from zero to `places`; None when it is not one."""
    if "_" in (text or ""):  # Python's Decimal reads digit groups; the contract does not
        return None
    try:
        value = Decimal((text or "").strip())
        return value.quantize(places, rounding=ROUND_HALF_UP) if value.is_finite() else None
    except InvalidOperation:  # not a number, or too many digits to hold
        return None


def parse_amount(text: str | None) -> Decimal | None:
    return parse_number(text, CENT)


def read_rows(
    path: Path, columns: Mapping[str, str] | None = None, time_format: str | None = None
) -> list[Row]:
    """The rows of a CSV, parsed; `columns` maps contract columns to the file's (matched case-insensitively),
    like var transactions_columns."""
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        header: dict[str, str] = {}
        for name in reader.fieldnames or []:
            header.setdefault(name.lower(), name)
        found = {
            contract: header.get((dict(columns or {}).get(contract) or contract).lower())
            for contract in (
                "customer_id",
                "transaction_at",
                "amount",
                "transaction_id",
                "order_id",
                "quantity",
                "unit_price",
            )
        }
        # Without an amount column a line is worth quantity * unit_price; with one, those two are ignored.
        from_lines = found["amount"] is None
        required = ["customer_id", "transaction_at", *(["quantity", "unit_price"] if from_lines else [])]
        if missing := [name for name in required if found[name] is None]:
            raise ValueError(f"{path} has no column for {', '.join(missing)}")
        rows = []
        for number, record in enumerate(reader, start=1):
            value = {name: record[column] if column else None for name, column in found.items()}.get
            quantity = unit_price = None
            if from_lines:
                quantity = parse_number(value("quantity"), QUANTITY_PLACES)
                unit_price = parse_number(value("unit_price"), QUANTITY_PLACES)
                amount = quantity * unit_price if quantity is not None and unit_price is not None else None
            else:
                amount = parse_amount(value("amount"))
            rows.append(
                Row(
                    number=number,
                    transaction_id=clean_id(value("transaction_id")),
                    customer_id=clean_id(value("customer_id")),
                    transaction_at=parse_time(value("transaction_at"), time_format),
                    amount=amount,
                    order_id=clean_id(value("order_id")),
                    quantity=quantity,
                    unit_price=unit_price,
                )
            )
        return rows


def row_reason(row: Row, as_of: dt.date | None) -> str | None:
    """The first reason that one row, on its own, cannot be used."""
    if row.customer_id is None:
        return "missing_customer_id"
    if row.transaction_at is None:
        return "invalid_transaction_at"
    if row.amount is None:
        return "invalid_amount"
    if not EARLIEST_PLAUSIBLE <= row.transaction_at.date() <= latest_plausible():
        return "implausible_transaction_at"
    if as_of is not None and row.transaction_at.date() >= as_of:
        return "after_as_of_date"
    return None


def classify(rows: list[Row], as_of: dt.date | None, identical_rows: str = "keep") -> dict[int, str | None]:
    """reject_reason per row number, first matching reason wins; None for a usable row. Among rows usable on
    their own (in file order), a later (the customer's order_id, transaction_id) is a
    duplicate_transaction_id; with identical_rows 'reject', a later copy of every parsed value is a
    duplicate_row."""
    if identical_rows not in IDENTICAL_ROWS:
        raise ValueError(f"identical_rows must be one of {IDENTICAL_ROWS}, got {identical_rows!r}")
    reasons: dict[int, str | None] = {}
    seen_ids: set[tuple[str | None, str | None, str]] = set()
    seen_rows: set[tuple[object, ...]] = set()
    for row in rows:
        reason = row_reason(row, as_of)
        if reason is None:
            if row.transaction_id is not None:
                # An order is its customer's: the same order and line id of another customer is another line.
                customer = row.customer_id if row.order_id is not None else None
                key = (customer, row.order_id, row.transaction_id)
                reason = "duplicate_transaction_id" if key in seen_ids else None
                seen_ids.add(key)
            if reason is None and identical_rows == "reject" and row.values() in seen_rows:
                reason = "duplicate_row"
            seen_rows.add(row.values())
        reasons[row.number] = reason
    return reasons


def purchases(rows: Iterable[Row]) -> list[Purchase]:
    """Accepted rows as purchases: one per (customer_id, order_id), one per row without order_id."""
    result: list[Purchase] = []
    orders: dict[tuple[str, str], Purchase] = {}
    for row in rows:
        assert row.customer_id is not None and row.transaction_at is not None and row.amount is not None
        if row.order_id is None:
            result.append(Purchase(row.customer_id, row.transaction_at, row.amount))
        elif (order := orders.get((row.customer_id, row.order_id))) is None:
            orders[row.customer_id, row.order_id] = Purchase(row.customer_id, row.transaction_at, row.amount)
            result.append(orders[row.customer_id, row.order_id])
        else:
            order.at = min(order.at, row.transaction_at)
            order.amount += row.amount
    return result


def aggregate(
    bought: Iterable[Purchase],
    as_of: dt.date,
    lookback_days: int | None = None,
    frequency_unit: str = "transaction",
) -> dict[str, Customer]:
    """Per customer; a purchase (order) worth less than zero is a refund. Sums are exact and rounded once.
    frequency counts purchases, or (frequency_unit 'day') the days with a purchase; the average purchase and
    the days between purchases are per what it counts."""
    start = as_of - dt.timedelta(days=lookback_days) if lookback_days else None
    by_customer: dict[str, list[Purchase]] = defaultdict(list)
    for purchase in bought:
        if start is None or purchase.at.date() >= start:
            by_customer[purchase.customer_id].append(purchase)
    customers = {}
    for customer_id, own in by_customer.items():
        kept = [p for p in own if p.amount >= 0]
        dates = [p.at.date() for p in kept]
        spent = sum((p.amount for p in kept), Decimal(0))
        frequency = len(set(dates)) if frequency_unit == "day" else len(kept)
        customers[customer_id] = Customer(
            customer_id=customer_id,
            recency_days=(as_of - max(dates)).days if dates else None,
            frequency=frequency,
            refunds=len(own) - len(kept),
            monetary=sum((p.amount for p in own), Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP),
            avg_order_value=(spent / frequency).quantize(CENT, rounding=ROUND_HALF_UP) if kept else None,
            tenure_days=(as_of - min(dates)).days if dates else None,
            avg_days_between_purchases=(
                (max(dates) - min(dates)).days / (frequency - 1) if frequency > 1 else None
            ),
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


Bins = int | Mapping[str, int]
#: rfm_score_weights' default.
WEIGHTS = {"recency": Decimal(100), "frequency": Decimal(10), "monetary": Decimal(1)}


def score(
    customers: Iterable[Customer],
    bins: Bins = 5,
    monetary_measure: str = "total",
    binning: str = "independent",
    weights: Mapping[str, Decimal] | None = None,
    value_8_cut: str = "score",
) -> list[Customer]:
    """Tie-fair NTILE scores; M ranks net monetary (total) or the average purchase amount (mean). `bins` is
    one number or one per dimension; binning 'nested' ranks F within each R score and M within each R-F
    cell."""
    per = bins if isinstance(bins, Mapping) else {"recency": bins, "frequency": bins, "monetary": bins}
    everyone = list(customers)

    def measure(c: Customer) -> Decimal | None:
        return c.avg_order_value if monetary_measure == "mean" else c.monetary

    def grouped(key: Callable[[Customer], object]) -> list[list[Customer]]:
        groups: dict[object, list[Customer]] = defaultdict(list)
        for customer in everyone:
            groups[key(customer) if binning == "nested" else None].append(customer)
        return list(groups.values())

    # Worst first: no recency (refunds only) is worst, then the most days since the last purchase.
    recency = fair_scores(
        everyone, lambda c: (c.recency_days is not None, -(c.recency_days or 0)), per["recency"]
    )
    for customer in everyone:
        customer.r_score = recency[customer.customer_id]
    for group in grouped(lambda c: c.r_score):
        frequency = fair_scores(group, lambda c: c.frequency, per["frequency"])
        for customer in group:
            customer.f_score = frequency[customer.customer_id]
    for group in grouped(lambda c: (c.r_score, c.f_score)):
        # No purchase, no monetary key: below every purchaser.
        monetary = fair_scores(
            group,
            lambda c: (c.frequency > 0, measure(c) if c.frequency > 0 else Decimal(0)),
            per["monetary"],
        )
        for customer in group:
            customer.m_score = monetary[customer.customer_id]
    weight = weights or WEIGHTS
    buyers = [c for c in everyone if c.frequency > 0]
    for customer in everyone:
        customer.rfm_score = (
            weight["recency"] * customer.r_score
            + weight["frequency"] * customer.f_score
            + weight["monetary"] * customer.m_score
        )
        if value_8_cut == "mean":
            # Better than the buyers' mean, compared exactly (value x buyers against their sum).
            n = len(buyers)
            bought = customer.frequency > 0
            high = (
                bought and customer.recency_days * n < sum(c.recency_days for c in buyers),  # type: ignore[operator]
                bought and customer.frequency * n > sum(c.frequency for c in buyers),
                bought and measure(customer) * n > sum(measure(c) for c in buyers),  # type: ignore[operator]
            )
        else:
            # Above the middle score: 2 * score > bins + 1.
            high = (
                2 * customer.r_score > per["recency"] + 1,
                2 * customer.f_score > per["frequency"] + 1,
                2 * customer.m_score > per["monetary"] + 1,
            )
        customer.value_code = "".join("1" if flag else "0" for flag in high)
    return everyone


def compute(
    path: Path,
    as_of: dt.date | None = None,
    lookback_days: int | None = None,
    bins: Bins = 5,
    columns: Mapping[str, str] | None = None,
    identical_rows: str = "keep",
    time_format: str | None = None,
    monetary_measure: str = "total",
    frequency_unit: str = "transaction",
    binning: str = "independent",
    weights: Mapping[str, Decimal] | None = None,
    value_8_cut: str = "score",
) -> tuple[dict[int, str | None], list[Customer]]:
    """(reject reasons per row, scored customers) for a CSV that follows the contract, its columns named as
    `columns` says (var transactions_columns), identical rows kept or rejected (var identical_rows); the other
    arguments are the vars of the same names."""
    rows = read_rows(path, columns, time_format)
    reasons = classify(rows, as_of, identical_rows)
    usable = [row for row in rows if reasons[row.number] is None]
    if as_of is None:
        latest = max(row.transaction_at for row in usable if row.transaction_at)
        as_of = latest.date() + dt.timedelta(days=1)
    customers = aggregate(purchases(usable), as_of, lookback_days, frequency_unit).values()
    return reasons, score(customers, bins, monetary_measure, binning, weights, value_8_cut)
