"""`rfm holdout`: split each segment's customers into a test arm and a control arm (held out) for a campaign,
deterministically: a customer's place is the SHA-256 of the campaign id and its id, so the same campaign id
gives the same split on any machine, and another campaign another one. Within each segment the first
round(share x customers) by that hash are the control arm. Written in the contacts format the build reads
(var campaign_contacts_path): customer_id, campaign_id, contacted_at, arm, strategy (the segment's action)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

COLUMNS = ("customer_id", "campaign_id", "contacted_at", "arm", "strategy")


@dataclass(frozen=True)
class Contact:
    customer_id: str
    campaign_id: str
    contacted_at: dt.date
    arm: str
    strategy: str


def hash_key(campaign_id: str, customer_id: str) -> str:
    """The customer's place in the campaign's order: reproducible from the two ids alone."""
    return hashlib.sha256(f"{campaign_id}\x1f{customer_id}".encode()).hexdigest()


def assign(
    customers: Sequence[tuple[str, str, str]],
    campaign_id: str,
    share: float,
    contacted_at: dt.date,
) -> list[Contact]:
    """customers: (customer_id, segment, strategy). Per segment, the first round(share x n) customers by
    hash_key are control, the rest test; returned in segment, then customer order."""
    if not 0 < share < 1:
        raise ValueError(f"--share must be between 0 and 1 (0.1 holds out 10%), got {share}.")
    by_segment: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for customer_id, segment, strategy in customers:
        by_segment[segment].append((customer_id, strategy))
    contacts: list[Contact] = []
    for segment in sorted(by_segment):
        members = sorted(by_segment[segment], key=lambda member: hash_key(campaign_id, member[0]))
        held_out = round(share * len(members))
        for place, (customer_id, strategy) in enumerate(members):
            arm = "control" if place < held_out else "test"
            contacts.append(Contact(customer_id, campaign_id, contacted_at, arm, strategy))
    contacts.sort(key=lambda contact: (contact.arm, contact.customer_id))
    return contacts


def read_customers(database: Path, segments: Sequence[str] | None) -> list[tuple[str, str, str]]:
    """(customer_id, segment, segment_action) of marts.customer_rfm, only the given segments when named."""
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute(
            "select customer_id, segment, coalesce(segment_action, '') from marts.customer_rfm"
        ).fetchall()
    if segments:
        known = {segment for _, segment, _ in rows}
        unknown = [segment for segment in segments if segment not in known]
        if unknown:
            raise ValueError(
                f"No customer is in segment {', '.join(unknown)}; the build's segments are "
                f"{', '.join(sorted(known))}."
            )
        rows = [row for row in rows if row[1] in segments]
    return [(str(customer_id), segment, action) for customer_id, segment, action in rows]


def write_contacts(contacts: Sequence[Contact], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for contact in contacts:
            writer.writerow(
                [
                    contact.customer_id,
                    contact.campaign_id,
                    contact.contacted_at.isoformat(),
                    contact.arm,
                    contact.strategy,
                ]
            )
