"""Per campaign and segment at contact, plus the campaign's overall row (segment '(all)'): the test arm
against the control arm. Response rates and their difference (uplift) with a 95% interval by Newcombe's
hybrid score method (method 10 of Newcombe 1998: the two arms' Wilson score intervals combined; no
continuity correction), the two-sided p-value of the pooled two-proportion z-test, and revenue per contact
in each arm with the two-sided p-value of Welch's unequal-variances t-test (exact t distribution with
Welch-Satterthwaite degrees of freedom). Counts and sums come from int_campaign_arms_compared (SQL); scipy
does the distributions here. An arm with fewer than MIN_ARM_CUSTOMERS customers (or none) gives null
statistics, as does a test without variance (every customer responded or none did; no revenue spread).
DuckDB only: dbt-spark runs Python models only on Databricks."""

import math

import pyarrow as pa

#: The fewest customers in each arm for an interval or a p-value (a sample variance needs two).
MIN_ARM_CUSTOMERS = 2
CONFIDENCE = 0.95
#: The statistics computed here, in the table's order (after the counts).
STATISTICS = (
    "test_response_rate",
    "control_response_rate",
    "uplift",
    "uplift_ci_low",
    "uplift_ci_high",
    "p_value",
    "test_revenue_per_contact",
    "control_revenue_per_contact",
    "revenue_per_contact_difference",
    "revenue_welch_p_value",
)
COUNTS = ("test_customers", "control_customers", "test_responders", "control_responders")


def wilson(stats, successes, trials):
    """Wilson's score interval for successes / trials (scipy's, without continuity correction)."""
    interval = stats.binomtest(successes, trials).proportion_ci(CONFIDENCE, method="wilson")
    return float(interval.low), float(interval.high)


def compare(row, stats):
    """The statistics of one campaign and segment; None where they are undefined."""
    n1, n2 = row["test_customers"], row["control_customers"]
    x1, x2 = row["test_responders"], row["control_responders"]
    out = dict.fromkeys(STATISTICS)
    if n1 > 0:
        out["test_response_rate"] = x1 / n1
        out["test_revenue_per_contact"] = float(row["test_revenue"]) / n1
    if n2 > 0:
        out["control_response_rate"] = x2 / n2
        out["control_revenue_per_contact"] = float(row["control_revenue"]) / n2
    if n1 == 0 or n2 == 0:
        return out
    p1, p2 = x1 / n1, x2 / n2
    out["uplift"] = p1 - p2
    out["revenue_per_contact_difference"] = (
        out["test_revenue_per_contact"] - out["control_revenue_per_contact"]
    )
    if n1 < MIN_ARM_CUSTOMERS or n2 < MIN_ARM_CUSTOMERS:
        return out
    low1, high1 = wilson(stats, x1, n1)
    low2, high2 = wilson(stats, x2, n2)
    out["uplift_ci_low"] = p1 - p2 - math.sqrt((p1 - low1) ** 2 + (high2 - p2) ** 2)
    out["uplift_ci_high"] = p1 - p2 + math.sqrt((high1 - p1) ** 2 + (p2 - low2) ** 2)
    pooled = (x1 + x2) / (n1 + n2)
    if 0 < pooled < 1:
        standard_error = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        out["p_value"] = float(2 * stats.norm.sf(abs(p1 - p2) / standard_error))
    v1, v2 = row["test_revenue_variance"], row["control_revenue_variance"]
    if v1 is not None and v2 is not None and (v1 > 0 or v2 > 0):
        result = stats.ttest_ind_from_stats(
            out["test_revenue_per_contact"],
            math.sqrt(v1),
            n1,
            out["control_revenue_per_contact"],
            math.sqrt(v2),
            n2,
            equal_var=False,
        )
        out["revenue_welch_p_value"] = float(result.pvalue)
    return out


def model(dbt, session):
    dbt.config(materialized="table")
    from scipy import stats

    arms = dbt.ref("int_campaign_arms_compared").order("campaign_id, segment_priority nulls last, segment")
    names = arms.columns
    rows = [dict(zip(names, values, strict=True)) for values in arms.fetchall()]
    results = [compare(row, stats) for row in rows]
    columns = {
        "campaign_id": pa.array([row["campaign_id"] for row in rows], pa.string()),
        "segment": pa.array([row["segment"] for row in rows], pa.string()),
        "segment_priority": pa.array([row["segment_priority"] for row in rows], pa.int32()),
        "strategy": pa.array([row["strategy"] for row in rows], pa.string()),
    }
    for name in COUNTS:
        columns[name] = pa.array([row[name] for row in rows], pa.int64())
    for name in STATISTICS:
        columns[name] = pa.array([result[name] for result in results], pa.float64())
    return pa.table(columns)
