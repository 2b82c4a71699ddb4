"""Campaign evaluation (issue 18): contacts quarantined and reconciled, each contact counted under the segment
it had on its contact date, response within the window, and uplift with its interval and p-values pinned by
hand on a small fixture and recovered on generated data with a planted uplift; `rfm holdout` and the
report."""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
from pathlib import Path
from typing import Any

import duckdb
import pytest
from scipy import stats

from conftest import FIXTURES, MESSY, MESSY_AS_OF, build_project, query
from rfm import holdout
from rfm.cli import main

CAMPAIGNS = FIXTURES / "campaigns"
AS_OF = "2025-07-01"
Z = 1.959963984540054  # the 97.5th percentile of the standard normal


def rows(database: Path, sql: str) -> list[dict[str, Any]]:
    with duckdb.connect(str(database), read_only=True) as connection:
        cursor = connection.execute(sql)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def wilson(successes: int, trials: int) -> tuple[float, float]:
    """Wilson's score interval, written out (Newcombe 1998, eq. 3)."""
    p = successes / trials
    center = (2 * trials * p + Z * Z) / (2 * (trials + Z * Z))
    half = Z * math.sqrt(Z * Z + 4 * trials * p * (1 - p)) / (2 * (trials + Z * Z))
    return center - half, center + half


def newcombe(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float]:
    """Newcombe's hybrid score interval (method 10) of p1 - p2."""
    p1, p2 = x1 / n1, x2 / n2
    (l1, u1), (l2, u2) = wilson(x1, n1), wilson(x2, n2)
    return (
        p1 - p2 - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
        p1 - p2 + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
    )


def pooled_z_p_value(x1: int, n1: int, x2: int, n2: int) -> float:
    pooled = (x1 + x2) / (n1 + n2)
    z = (x1 / n1 - x2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return math.erfc(abs(z) / math.sqrt(2))


@pytest.fixture(scope="module")
def spring(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand fixture: 10 lapsed customers (one purchase a year before), 10 active ones (three this spring),
    2 new ones, each half test, half control, contacted 2025-05-01 10:00 (fixtures/campaigns)."""
    work = tmp_path_factory.mktemp("campaigns_spring")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RFM_PUBLISH_DIR", str(work / "published"))
        return build_project(
            work / "rfm.duckdb",
            CAMPAIGNS / "transactions.csv",
            as_of_date=AS_OF,
            campaign_contacts_path=str(CAMPAIGNS / "contacts.csv"),
        )


def test_hand_fixture_pins_counts_rates_interval_and_p_values(spring: Path) -> None:
    evaluation = {row["segment"]: row for row in rows(spring, "select * from marts.strategy_evaluation")}
    # A build at 2025-05-01 ranks 20 customers: the lapsed tie at R1 F1 M1 (Lost), the active at R3 F3 M3.
    assert set(evaluation) == {"Lost", "Potential Loyalists", "(new)", "(all)"}
    # Per-customer window revenue, from the fixture by hand: L01 200 + 300 (its 2025-06-10 purchase is
    # after the window), L02 50, L03 40 (09:59:59 on the window's last day), L04 0 (10:00 is the window's
    # end), L05 a refund of 10 (no response); L06 30; A01-A04 100 each; A06-A08 100 each (A09 bought
    # before contacted_at).
    revenue = {
        "Lost": ([500, 50, 40, 0, -10], [0, 30, 0, 0, 0]),
        "Potential Loyalists": ([100, 100, 100, 100, 0], [0, 100, 100, 100, 0]),
    }
    revenue["(all)"] = (
        revenue["Lost"][0] + revenue["Potential Loyalists"][0] + [80],
        revenue["Lost"][1] + revenue["Potential Loyalists"][1] + [0],
    )
    counts = {"Lost": (3, 5, 1, 5), "Potential Loyalists": (4, 5, 3, 5), "(all)": (8, 11, 4, 11)}
    for segment, (x1, n1, x2, n2) in counts.items():
        row = evaluation[segment]
        assert (row["test_responders"], row["test_customers"]) == (x1, n1), segment
        assert (row["control_responders"], row["control_customers"]) == (x2, n2), segment
        assert row["test_response_rate"] == pytest.approx(x1 / n1)
        assert row["control_response_rate"] == pytest.approx(x2 / n2)
        assert row["uplift"] == pytest.approx(x1 / n1 - x2 / n2)
        low, high = newcombe(x1, n1, x2, n2)
        assert (row["uplift_ci_low"], row["uplift_ci_high"]) == pytest.approx((low, high), abs=1e-9)
        assert row["p_value"] == pytest.approx(pooled_z_p_value(x1, n1, x2, n2), abs=1e-9)
        test, control = revenue[segment]
        assert row["test_revenue_per_contact"] == pytest.approx(sum(test) / len(test))
        assert row["control_revenue_per_contact"] == pytest.approx(sum(control) / len(control))
        welch = stats.ttest_ind(test, control, equal_var=False)
        assert row["revenue_welch_p_value"] == pytest.approx(welch.pvalue, abs=1e-9)
    # The numbers themselves, worked by hand for Lost (3/5 against 1/5): Wilson 3/5 = [0.2307, 0.8824],
    # 1/5 = [0.0362, 0.6245]; 0.4 - sqrt(0.3693^2 + 0.4245^2) = -0.1627, 0.4 + sqrt(0.2824^2 + 0.1638^2) =
    # 0.7264; pooled p 0.4, z = 0.4 / sqrt(0.24 x 0.4) = 1.291, two-sided p = 0.1967.
    lost = evaluation["Lost"]
    assert (lost["uplift_ci_low"], lost["uplift_ci_high"], lost["p_value"]) == pytest.approx(
        (-0.1627, 0.7264, 0.1967), abs=1e-4
    )
    assert lost["strategy"] == "win back"


def test_small_arms_give_null_statistics(spring: Path) -> None:
    new = rows(spring, "select * from marts.strategy_evaluation where segment = '(new)'")[0]
    assert (new["test_customers"], new["control_customers"]) == (1, 1)
    assert new["uplift"] == pytest.approx(1.0)
    assert [
        new[name] for name in ("uplift_ci_low", "uplift_ci_high", "p_value", "revenue_welch_p_value")
    ] == [None] * 4


def test_response_counts_purchases_inside_the_window_only(spring: Path) -> None:
    responded = {
        row["customer_id"]: row
        for row in rows(spring, "select * from intermediate.int_campaign_contacts_responded")
    }
    assert [responded[c]["is_responder"] for c in ("L01", "L02", "L03", "L04", "L05", "A09")] == [
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    assert float(responded["L01"]["window_revenue"]) == 500
    assert float(responded["L05"]["window_revenue"]) == -10
    response = rows(
        spring,
        "select segment, arm, contacted_customers, responders, response_rate, window_revenue,"
        " revenue_per_contact from marts.campaign_response where segment = 'Lost' order by arm",
    )
    assert [(r["arm"], r["contacted_customers"], r["responders"]) for r in response] == [
        ("control", 5, 1),
        ("test", 5, 3),
    ]
    assert [float(r["revenue_per_contact"]) for r in response] == [6.0, 116.0]


def test_each_contact_counts_under_its_segment_at_the_contact_date(spring: Path) -> None:
    # L01 bought 800 after the contact: today it is no longer Lost, but the campaign counts it as Lost.
    today = dict(query(spring, "select customer_id, segment from marts.customer_rfm"))
    at_contact = dict(
        query(spring, "select customer_id, segment from intermediate.int_campaign_contacts_responded")
    )
    assert at_contact["L01"] == "Lost" and today["L01"] != "Lost"
    assert at_contact["N1"] == "(new)"
    # The contact date is scored but stays out of the history and its migration.
    assert query(spring, "select distinct as_of_date from marts.customer_rfm_history") == [
        (dt.date(2025, 7, 1),)
    ]
    assert query(
        spring, "select count(*) from intermediate.int_customers_segmented where as_of_date = '2025-05-01'"
    ) == [(20,)]


def test_report_shows_uplift_by_segment(spring: Path) -> None:
    published = spring.parent / "published"
    out = spring.parent / "report.html"
    assert main(["report", "--published", str(published), "--out", str(out)]) == 0
    page = out.read_text()
    assert "Campaign uplift by segment" in page
    assert "Lost: +40 points, 95% CI -16 to 73, p = 0.197" in page


def test_holdout_is_deterministic_per_segment(
    spring: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RFM_DUCKDB_PATH", str(spring))
    out = tmp_path / "contacts.csv"
    assert main(["holdout", "--campaign", "summer", "--share", "0.2", "--out", str(out)]) == 0
    first = out.read_text()
    assert main(["holdout", "--campaign", "summer", "--share", "0.2", "--out", str(out)]) == 0
    assert out.read_text() == first
    with out.open() as handle:
        contacts = list(csv.DictReader(handle))
    assert list(contacts[0]) == ["customer_id", "campaign_id", "contacted_at", "arm", "strategy"]
    segments = dict(query(spring, "select customer_id, segment from marts.customer_rfm"))
    for segment in set(segments.values()):
        members = [c for c in contacts if segments[c["customer_id"]] == segment]
        control = [c for c in members if c["arm"] == "control"]
        assert len(control) == round(0.2 * len(members)), segment
    other = holdout.assign([(c, s, "") for c, s in segments.items()], "autumn", 0.2, dt.date(2025, 7, 2))
    assert {c.customer_id for c in other if c.arm == "control"} != {
        c["customer_id"] for c in contacts if c["arm"] == "control"
    }
    assert main(["holdout", "--campaign", "x", "--segments", "Nobody", "--out", str(out)]) == 1


def test_bad_contacts_are_quarantined_with_their_reasons(tmp_path: Path) -> None:
    contacts = CAMPAIGNS / "contacts_messy.csv"
    database = build_project(
        tmp_path / "rfm.duckdb", MESSY, as_of_date=MESSY_AS_OF, campaign_contacts_path=str(contacts)
    )
    with contacts.open() as handle:
        expected = {
            number: row["expected_reject_reason"] or None
            for number, row in enumerate(csv.DictReader(handle), start=1)
        }
    rejected = dict(
        query(database, "select source_row_number, reject_reason from staging.rejected_campaign_contacts")
    )
    accepted = [n for (n,) in query(database, "select source_row_number from staging.stg_campaign_contacts")]
    assert {**rejected, **dict.fromkeys(accepted)} == expected
    assert not set(rejected) & set(accepted)
    assert query(
        database, "select customer_id, arm from staging.stg_campaign_contacts where source_row_number = 3"
    ) == [("0003", "test")]


def planted_campaign(folder: Path) -> tuple[Path, Path, dict[str, float]]:
    """Generated data: 4,000 lapsed customers (one purchase 14 months before the contact), 4,000 active ones
    (three in the last two months), 200 new ones; half of each group held out by `rfm holdout`'s assignment.
    Response rates (control -> test): lapsed 5% -> 20%, active 30% -> 35%, new 10% -> 10%."""
    rng = random.Random(18)
    contacted_at = dt.datetime(2025, 3, 1, 10)
    groups = {"lapsed": (4000, 0.05, 0.20), "active": (4000, 0.30, 0.35), "new": (200, 0.10, 0.10)}
    transactions = [("customer_id", "transaction_at", "amount")]
    customers = []
    for group, (size, _, _) in groups.items():
        for i in range(size):
            customer = f"{group[0]}{i:05d}"
            customers.append((customer, group, group))
            if group == "lapsed":
                transactions.append((customer, "2024-01-15 12:00:00", "20.00"))
            elif group == "active":
                for day in ("2025-01-10", "2025-02-01", "2025-02-20"):
                    transactions.append((customer, f"{day} 12:00:00", "100.00"))
    contacts = holdout.assign(customers, "planted", 0.5, contacted_at.date())
    group_of = {customer: group for customer, group, _ in customers}
    arms: dict[tuple[str, str], list[str]] = {}
    for contact in contacts:
        arms.setdefault((group_of[contact.customer_id], contact.arm), []).append(contact.customer_id)
    # Exactly the planted share of each arm responds (randomly chosen), so the planted uplift is the arms'
    # true difference and a 95% interval that misses it is the mart's error, not the sample's.
    for (group, arm), members in sorted(arms.items()):
        _, control_rate, test_rate = groups[group]
        rng.shuffle(members)
        for customer in members[: round((test_rate if arm == "test" else control_rate) * len(members))]:
            when = contacted_at + dt.timedelta(days=rng.randint(0, 29), hours=2)
            transactions.append((customer, f"{when:%Y-%m-%d %H:%M:%S}", f"{rng.uniform(20, 80):.2f}"))
        for customer in members[-len(members) // 10 :]:  # a purchase after the window is no response
            when = contacted_at + dt.timedelta(days=45)
            transactions.append((customer, f"{when:%Y-%m-%d %H:%M:%S}", "50.00"))
    transactions_path, contacts_path = folder / "transactions.csv", folder / "contacts.csv"
    with transactions_path.open("w", newline="") as handle:
        csv.writer(handle).writerows(transactions)
    with contacts_path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(holdout.COLUMNS)
        for c in contacts:
            writer.writerow(
                [c.customer_id, c.campaign_id, f"{contacted_at:%Y-%m-%d %H:%M:%S}", c.arm, c.strategy]
            )
    truth = {group: test - control for group, (_, control, test) in groups.items()}
    return transactions_path, contacts_path, truth


def test_planted_uplift_is_recovered_within_the_intervals(tmp_path: Path) -> None:
    transactions, contacts, truth = planted_campaign(tmp_path)
    database = build_project(
        tmp_path / "rfm.duckdb", transactions, as_of_date="2025-05-01", campaign_contacts_path=str(contacts)
    )
    evaluation = {row["segment"]: row for row in rows(database, "select * from marts.strategy_evaluation")}
    # At the contact date the lapsed customers tie at R1 F1 M1 (Lost) and the active ones at R3 F3 M3,
    # whatever they did afterwards; the new ones had bought nothing.
    segment_truth = {"Lost": truth["lapsed"], "Potential Loyalists": truth["active"], "(new)": truth["new"]}
    sizes = {"Lost": 4000, "Potential Loyalists": 4000, "(new)": 200}
    assert set(evaluation) == {*segment_truth, "(all)"}
    for segment, planted in segment_truth.items():
        row = evaluation[segment]
        assert row["test_customers"] + row["control_customers"] == sizes[segment]
        assert row["uplift_ci_low"] <= planted <= row["uplift_ci_high"], (segment, row)
    overall = sum(sizes[s] * segment_truth[s] for s in sizes) / sum(sizes.values())
    assert evaluation["(all)"]["uplift_ci_low"] <= overall <= evaluation["(all)"]["uplift_ci_high"]
    # The uplift differs between lapsed and active customers, and the intervals say so.
    assert evaluation["Lost"]["uplift_ci_low"] > evaluation["Potential Loyalists"]["uplift_ci_high"]
    assert evaluation["Lost"]["p_value"] < 0.001
    today = dict(query(database, "select segment, count(*) from marts.customer_rfm group by all"))
    assert today.get("Lost", 0) < 4000  # responders moved on, but were counted where they stood
    print(
        {
            segment: (
                round(row["uplift"], 4),
                round(row["uplift_ci_low"], 4),
                round(row["uplift_ci_high"], 4),
                row["p_value"],
            )
            for segment, row in evaluation.items()
        }
    )
