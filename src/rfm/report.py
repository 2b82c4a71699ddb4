"""`rfm report`: one self-contained HTML page (plotly.js embedded, no CDN, opens offline) built from the
published marts, for marketers: segment sizes and revenue, the R x F heat map, score distributions, where the
score bins fell, the value types (value_code), how concentrated revenue is (top 1/5/10/20% and Gini), the
customer clusters when the build made them (var clustering), and, when there is history, the migration matrix
and segment trends. Each segment's level, description and action sit beside its numbers.

The page records its own script errors and how many charts drew (body data-errors, data-charts-rendered), so
a headless browser can check it as a person would look at it."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from rfm_publication import SERVING_FILE

#: Set before any chart script runs: window errors and console.error calls end up in body[data-errors].
ERROR_CAPTURE = """
<script>
window.rfmErrors = [];
window.addEventListener('error', function (event) { window.rfmErrors.push(String(event.message)); });
(function () {
  var original = console.error;
  console.error = function () {
    window.rfmErrors.push(Array.prototype.map.call(arguments, String).join(' '));
    original.apply(console, arguments);
  };
})();
</script>
"""

#: After every chart script: how many charts drew an SVG, and the errors, for the browser test to read.
RENDER_CHECK = """
<script>
window.addEventListener('load', function () {
  var drawn = 0;
  document.querySelectorAll('.chart').forEach(function (chart) {
    if (chart.querySelector('svg.main-svg')) { drawn += 1; chart.dataset.rendered = 'true'; }
  });
  document.body.dataset.chartsExpected = String(document.querySelectorAll('.chart').length);
  document.body.dataset.chartsRendered = String(drawn);
  document.body.dataset.errors = JSON.stringify(window.rfmErrors);
});
</script>
"""

STYLE = """
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem auto;
       max-width: 1200px; color: #1f2933; padding: 0 1rem; }
h1 { margin-bottom: 0.2rem; }
h2 { margin-top: 2.5rem; border-bottom: 1px solid #d9e2ec; padding-bottom: 0.3rem; }
p.lead { color: #52606d; margin-top: 0; }
p.how { color: #52606d; max-width: 60rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; padding: 0.35rem 0.6rem; border-bottom: 1px solid #e4e7eb; vertical-align: top; }
td.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.chart { min-height: 420px; }
</style>
"""

#: The value codes, best first: R, F and M each high (1) or low (0).
VALUE_CODES = tuple(f"{code:03b}" for code in range(7, -1, -1))
#: What a high (1) and a low (0) digit of a value code says, per position R, F, M.
VALUE_CODE_WORDS = (("not recent", "recent"), ("infrequent", "frequent"), ("low spend", "high spend"))
#: The top shares of customers revenue_concentration measures (its columns top_<k>_percent_revenue, _share).
TOP_PERCENTS = (1, 5, 10, 20)

#: The cluster marts the report reads: empty with var clustering false, absent from publications made before
#: them (both mean no cluster section).
CLUSTER_MARTS = ("cluster_profiles", "cluster_centroids", "cluster_k_selection", "cluster_scaling")
#: var cluster_scaling in words.
SCALING_WORDS = {"minmax": "to 0..1", "zscore": "to mean 0 and standard deviation 1"}

SCORE_AXIS = {
    "r": "Recency score (5 = bought most recently)",
    "f": "Frequency score (5 = buys most often)",
    "m": "Monetary score (5 = spends the most)",
}


@dataclass(frozen=True)
class Section:
    title: str
    explanation: str
    body: str


def rows(connection: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = connection.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float, Decimal)) else 0.0


def chart(figure: Any, name: str, first: bool) -> str:
    """A figure as a div of class chart; plotly.js is embedded once, with the first chart."""
    figure.update_layout(
        template="plotly_white", margin={"t": 60, "l": 60, "r": 30, "b": 60}, font={"size": 13}
    )
    return (
        f'<div class="chart" data-chart="{name}">'
        + figure.to_html(
            full_html=False, include_plotlyjs=first, config={"displaylogo": False, "responsive": True}
        )
        + "</div>"
    )


def table(records: list[dict[str, Any]], columns: dict[str, str]) -> str:
    head = "".join(f"<th>{html.escape(label)}</th>" for label in columns.values())
    body = []
    for record in records:
        cells = []
        for key in columns:
            value = record.get(key)
            if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                text = f"{value:,.0f}" if isinstance(value, int) else f"{value:,.2f}"
                cells.append(f'<td class="number">{text}</td>')
            else:
                cells.append(f"<td>{html.escape('' if value is None else str(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def value_code_meaning(code: str) -> str:
    """'101' -> 'recent, infrequent, high spend'."""
    return ", ".join(words[int(digit)] for digit, words in zip(code, VALUE_CODE_WORDS, strict=True))


def value_types(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Customers and revenue per value code, every code (empty ones as 0) from 111 down to 000."""
    found = {record["value_code"]: record for record in records}
    customers = sum(record["customers"] for record in records)
    revenue = sum(number(record["revenue"]) for record in records)
    result = []
    for code in VALUE_CODES:
        record = found.get(code, {})
        result.append(
            {
                "value_code": code,
                "meaning": value_code_meaning(code),
                "customers": record.get("customers", 0),
                "customers_percent": 100 * record.get("customers", 0) / customers if customers else None,
                "revenue": record.get("revenue", Decimal(0)),
                "revenue_percent": 100 * number(record.get("revenue")) / revenue if revenue else None,
            }
        )
    return result


def uplift_reading(row: dict[str, Any]) -> str:
    """One strategy_evaluation row in words: "At Risk: +14 points, 95% CI 9 to 19, p < 0.001"."""
    if row["uplift"] is None:
        return f"{row['segment']}: no uplift (an arm is empty)"
    text = f"{row['segment']}: {100 * row['uplift']:+.0f} points"
    if row["uplift_ci_low"] is not None:
        text += f", 95% CI {100 * row['uplift_ci_low']:.0f} to {100 * row['uplift_ci_high']:.0f}"
    if row["p_value"] is not None:
        text += ", p < 0.001" if row["p_value"] < 0.001 else f", p = {row['p_value']:.3f}"
    return text


def uplift_section(evaluation: list[dict[str, Any]]) -> Section:
    """Uplift by segment with its interval, per campaign, from strategy_evaluation."""
    import plotly.graph_objects as go

    figure = go.Figure()
    for campaign in dict.fromkeys(row["campaign_id"] for row in evaluation):
        picked = [row for row in evaluation if row["campaign_id"] == campaign and row["uplift"] is not None]
        figure.add_trace(
            go.Scatter(
                x=[100 * row["uplift"] for row in picked],
                y=[row["segment"] for row in picked],
                mode="markers",
                name=str(campaign),
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [100 * (number(row["uplift_ci_high"]) - row["uplift"]) for row in picked],
                    "arrayminus": [100 * (row["uplift"] - number(row["uplift_ci_low"])) for row in picked],
                },
            )
        )
    figure.add_vline(x=0, line_dash="dot")
    figure.update_layout(height=120 + 40 * len(evaluation), xaxis_title="Uplift (points), 95% CI")
    records = [{**row, "reading": uplift_reading(row)} for row in evaluation]
    return Section(
        "Campaign uplift by segment (test against control)",
        "Each segment's response rate in the test arm minus the control arm's, counted under the segment "
        "the customer had on the contact date, with its 95% interval (Newcombe) and the z-test's p-value. "
        "An interval that holds 0 shows no evidence the strategy worked there.",
        chart(figure, "campaign_uplift", first=False)
        + table(
            records,
            {
                "campaign_id": "Campaign",
                "reading": "Uplift",
                "test_customers": "Test",
                "control_customers": "Control",
                "test_response_rate": "Test rate",
                "control_response_rate": "Control rate",
                "revenue_per_contact_difference": "Revenue per contact, difference",
                "revenue_welch_p_value": "Welch p",
            },
        ),
    )


def concentration_section(concentration: dict[str, Any]) -> Section:
    """The top k% of customers' share of revenue, and the Gini coefficient, from revenue_concentration."""
    customers = concentration["customers"]
    tops = [
        {
            "top": f"Top {k}%",
            # The first ceil(k% x customers) by monetary, as the mart counts them (integer arithmetic).
            "customers": -(-k * customers // 100),
            "revenue": concentration[f"top_{k}_percent_revenue"],
            "share": None
            if concentration[f"top_{k}_percent_share"] is None
            else 100 * concentration[f"top_{k}_percent_share"],
        }
        for k in TOP_PERCENTS
    ]
    share_20 = concentration["top_20_percent_share"]
    gini = concentration["gini_coefficient"]
    twenty = (
        "Nobody spent anything, so there is no share to speak of."
        if share_20 is None
        else f"The top 20% of customers bring {100 * share_20:.1f}% of revenue "
        "(the 20/80 rule: about 80% where a few customers carry the business)."
    )
    spread = (
        ""
        if gini is None
        else f" The Gini coefficient is {gini:.2f}: 0 when every customer spends the same, towards 1 when "
        "one customer brings all the revenue."
    )
    return Section(
        "Revenue concentration",
        twenty + spread,
        table(
            tops,
            {
                "top": "Customers by monetary",
                "customers": "Customers",
                "revenue": "Revenue",
                "share": "Share of revenue (%)",
            },
        )
        + table(
            [{"customers": customers, "revenue": concentration["revenue"], "gini": gini}],
            {"customers": "All customers", "revenue": "All revenue", "gini": "Gini coefficient"},
        ),
    )


def cluster_section(
    profiles: list[dict[str, Any]],
    centroids: list[dict[str, Any]],
    selection: list[dict[str, Any]],
    scaling: list[dict[str, Any]],
) -> Section:
    """The clusters (cluster_profiles, by cluster_id), their centroids in raw units (cluster_centroids, one
    column per feature) and the choice of k (cluster_k_selection), with the method in plain words."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    features = [feature for _, feature in sorted({(c["feature_position"], c["feature"]) for c in centroids})]
    (settings,) = {(s["scaling"], s["requested_k"]) for s in scaling}
    scaling_method, requested_k = settings
    # One k chosen (a data test of cluster_k_selection), the same for every row.
    (k,) = [s["k"] for s in selection if s["is_chosen"]]
    ks = [s["k"] for s in selection]
    how_k = (
        "set by var cluster_k."
        if requested_k is not None
        else "the one with the largest Calinski-Harabasz index (how far apart the clusters are, against how "
        f"tight each one is) of k = {min(ks)}..{max(ks)}."
    )
    logged = [s["feature"] for s in scaling if s.get("log_scaled")]
    clipped = [s for s in scaling if s.get("clip_low") is not None]
    treatment = (f"{', '.join(logged)} on a log scale; " if logged else "") + (
        "each feature first held within its central percentiles, so a few outliers do not set the scale; "
        if clipped
        else ""
    )
    explanation = (
        f"Customers grouped by how alike their {', '.join(features)} are ({treatment}each scaled "
        f"{SCALING_WORDS.get(scaling_method, scaling_method)}; customers missing one, such as those with "
        "refunds only, are left out). Ward's hierarchical clustering of a sample of "
        f"{selection[0]['sample_customers']:,} customers picks the number of clusters k and the starting "
        "centroids; k-means then puts every customer in the cluster of its nearest centroid. "
        f"k = {k}, {how_k} A cluster's type compares its mean recency, frequency and monetary with those of "
        "all clustered customers; its centroid is its customers' mean of each feature, in the feature's own "
        "units."
    )

    clustered = sum(p["customers"] for p in profiles)
    clusters = [{**p, "share": 100 * p["customers"] / clustered} for p in profiles]
    # One row per cluster, one column per feature.
    centroid_rows = {p["cluster_id"]: dict(p) for p in profiles}
    for centroid in centroids:
        centroid_rows[centroid["cluster_id"]][f"centroid:{centroid['feature']}"] = centroid["centroid_raw"]

    figure = make_subplots(specs=[[{"secondary_y": True}]])
    figure.add_trace(
        go.Scatter(
            x=ks,
            y=[s["calinski_harabasz"] for s in selection],
            mode="lines+markers",
            name="Calinski-Harabasz (higher is better)",
        ),
        secondary_y=False,
    )
    figure.add_trace(
        go.Scatter(
            x=ks,
            y=[s["davies_bouldin"] for s in selection],
            mode="lines+markers",
            line={"dash": "dot"},
            name="Davies-Bouldin (lower is better)",
        ),
        secondary_y=True,
    )
    figure.add_trace(
        go.Scatter(
            x=[k],
            y=[s["calinski_harabasz"] for s in selection if s["is_chosen"]],
            mode="markers+text",
            marker={"size": 18, "symbol": "star"},
            text=[f"chosen k = {k}"],
            textposition="top center",
            name="Chosen k",
        ),
        secondary_y=False,
    )
    figure.update_layout(height=420, title_text="Choosing k: Ward's tree cut into k clusters")
    figure.update_xaxes(title_text="k (number of clusters)", dtick=1)
    figure.update_yaxes(title_text="Calinski-Harabasz", secondary_y=False)
    figure.update_yaxes(title_text="Davies-Bouldin", secondary_y=True, showgrid=False)

    return Section(
        "Customer clusters",
        explanation,
        table(
            clusters,
            {
                "cluster_id": "Cluster",
                "cluster_type": "Type",
                "customers": "Customers",
                "share": "Share of clustered customers (%)",
                "mean_recency_days": "Mean recency (days)",
                "mean_frequency": "Mean frequency",
                "mean_monetary": "Mean monetary",
                "cluster_strategy": "Strategy",
            },
        )
        + table(
            list(centroid_rows.values()),
            {
                "cluster_id": "Cluster",
                "cluster_type": "Type",
                **{f"centroid:{feature}": f"Centroid: {feature}" for feature in features},
            },
        )
        + chart(figure, "cluster_k_selection", first=False),
    )


def clv_section(churn: list[dict[str, Any]], backtest: list[dict[str, Any]]) -> Section:
    """P(alive) and expected value by segment (customer_rfm's CLV columns), and the backtest's predicted
    against actual repeat purchases by segment (clv_backtest), when there is one."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    segments = [
        row for row in backtest if row["segment"] != "(all)" and row["predicted_purchases"] is not None
    ]
    figure = make_subplots(
        rows=1,
        cols=2 if segments else 1,
        subplot_titles=("Mean P(alive) per segment", "Repeat purchases: predicted and actual")[
            : 2 if segments else 1
        ],
    )
    names = [row["segment"] for row in churn]
    figure.add_trace(
        go.Bar(x=names, y=[number(row["mean_p_alive"]) for row in churn], name="Mean P(alive)"), row=1, col=1
    )
    if segments:
        backtest_names = [row["segment"] for row in segments]
        for column, label in (("predicted_purchases", "Predicted"), ("actual_purchases", "Actual")):
            figure.add_trace(
                go.Bar(x=backtest_names, y=[number(row[column]) for row in segments], name=label),
                row=1,
                col=2,
            )
    figure.update_layout(height=480, barmode="group")
    overall = next((row for row in backtest if row["segment"] == "(all)"), None)
    backtest_words = (
        f" The backtest fitted on the window to {overall['calibration_date']} and predicted "
        f"{number(overall['predicted_purchases']):,.0f} repeat purchases up to "
        f"{overall['holdout_end_date']}; "
        f"{number(overall['actual_purchases']):,.0f} happened."
        if overall and overall["predicted_purchases"] is not None
        else ""
    )
    return Section(
        "Churn risk and future value (BG/NBD, Gamma-Gamma)",
        "P(alive) is the probability a customer has not left for good, given when and how often it bought; "
        "a customer who bought once counts as alive (read it with recency). Expected value is what the "
        "purchases the model expects over the horizon are worth, discounted." + backtest_words,
        chart(figure, "clv_by_segment", first=False)
        + table(
            churn,
            {
                "segment": "Segment",
                "customers": "Customers",
                "mean_p_alive": "Mean P(alive)",
                "high_churn_customers": "High churn risk",
                "expected_value": "Expected value",
            },
        ),
    )


def build_report(published: Path, out: Path) -> Path:
    """Write the report for the publication in `published` to `out`; returns `out`."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    serving = published / SERVING_FILE
    if not serving.exists():
        raise FileNotFoundError(
            f"No publication in {published}: run `dbt build` (or `rfm run`) first, "
            "which publishes the marts there."
        )
    with duckdb.connect(str(serving), read_only=True) as connection:
        manifest = rows(connection, "select * from publication")
        segments = rows(connection, "select * from rfm_segment_summary order by segment_priority")
        cells = rows(
            connection,
            "select r_score, f_score, sum(customers) as customers, "
            "sum(customers * avg_monetary) / nullif(sum(customers), 0) as avg_monetary "
            "from rfm_cell_summary group by all order by all",
        )
        scores = rows(
            connection,
            "select 'r' as dimension, r_score as score, count(*) as customers from customer_rfm group by all "
            "union all select 'f', f_score, count(*) from customer_rfm group by all "
            "union all select 'm', m_score, count(*) from customer_rfm group by all order by 1, 2",
        )
        thresholds = rows(connection, "select * from rfm_score_thresholds order by dimension, score")
        codes = rows(
            connection,
            "select value_code, count(*) as customers, sum(monetary) as revenue "
            "from customer_rfm group by all order by value_code desc",
        )
        concentration = rows(connection, "select * from revenue_concentration")
        migration = rows(
            connection,
            "select * from segment_migration "
            "where to_as_of_date = (select max(to_as_of_date) from segment_migration)",
        )
        trends = rows(connection, "select * from segment_trends where segment != '(all)' order by as_of_date")
        published_tables = {name for (name,) in connection.execute("show tables").fetchall()}
        # Null P(alive) everywhere: no CLV fit (or a publication from before the CLV columns).
        churn = (
            rows(
                connection,
                "select segment, count(*) as customers, avg(p_alive) as mean_p_alive, "
                "count(*) filter (where churn_band = 'high') as high_churn_customers, "
                "sum(expected_value) as expected_value from customer_rfm group by segment "
                "having count(p_alive) > 0 order by min(segment_priority), segment",
            )
            if "p_alive"
            in {
                c
                for (c,) in connection.execute(
                    "select column_name from information_schema.columns where table_name = 'customer_rfm'"
                ).fetchall()
            }
            else []
        )
        backtest = (
            rows(connection, "select * from clv_backtest order by segment_priority nulls last")
            if "clv_backtest" in published_tables
            else []
        )
        cluster_marts = (
            {
                "profiles": rows(connection, "select * from cluster_profiles order by cluster_id"),
                "centroids": rows(
                    connection, "select * from cluster_centroids order by cluster_id, feature_position"
                ),
                "selection": rows(connection, "select * from cluster_k_selection order by k"),
                "scaling": rows(connection, "select * from cluster_scaling order by feature_position"),
            }
            if published_tables.issuperset(CLUSTER_MARTS)
            else {}
        )
        evaluation = (
            rows(
                connection,
                "select * from strategy_evaluation order by campaign_id, segment_priority, segment",
            )
            if "strategy_evaluation" in published_tables
            else []
        )

    facts = manifest[0] if manifest else {}
    sections: list[Section] = []
    names = [s["segment"] for s in segments]

    sizes = make_subplots(rows=1, cols=2, subplot_titles=("Customers per segment", "Share of revenue (%)"))
    sizes.add_trace(go.Bar(x=names, y=[s["customers"] for s in segments], name="Customers"), row=1, col=1)
    sizes.add_trace(
        go.Bar(x=names, y=[100 * number(s["share_of_revenue"]) for s in segments], name="Revenue share (%)"),
        row=1,
        col=2,
    )
    sizes.update_layout(showlegend=False, height=480)
    sizes.update_yaxes(title_text="Customers", row=1, col=1)
    sizes.update_yaxes(title_text="% of revenue", row=1, col=2)
    sections.append(
        Section(
            "Segments: how many customers, how much revenue",
            "Each bar is one segment of the scheme. A small segment with a large revenue share is where most "
            "of the money is; the playbook below says what to do with each.",
            chart(sizes, "segment_sizes", first=True)
            + table(
                segments,
                {
                    "segment": "Segment",
                    "segment_level": "Level",
                    "customers": "Customers",
                    "revenue": "Revenue",
                    "segment_description": "Who they are",
                    "segment_action": "What to do",
                },
            ),
        )
    )

    grid = {(c["r_score"], c["f_score"]): c for c in cells}
    r_levels = sorted({c["r_score"] for c in cells})
    f_levels = sorted({c["f_score"] for c in cells})
    heat = make_subplots(
        rows=1, cols=2, subplot_titles=("Customers per R x F cell", "Average monetary per R x F cell")
    )
    for column, key, scale in ((1, "customers", "Blues"), (2, "avg_monetary", "Greens")):
        values = [[number(grid.get((r, f), {}).get(key)) for r in r_levels] for f in f_levels]
        heat.add_trace(
            go.Heatmap(
                x=[str(r) for r in r_levels],
                y=[str(f) for f in f_levels],
                z=values,
                colorscale=scale,
                showscale=False,
                text=[[f"{v:,.0f}" for v in line] for line in values],
                texttemplate="%{text}",
                hovertemplate="R %{x}, F %{y}: %{text}<extra></extra>",
            ),
            row=1,
            col=column,
        )
    heat.update_xaxes(title_text=SCORE_AXIS["r"])
    heat.update_yaxes(title_text=SCORE_AXIS["f"], row=1, col=1)
    heat.update_layout(height=480)
    sections.append(
        Section(
            "The R x F map",
            "Top right are the best customers: bought recently and often. Bottom right bought recently but "
            "once: turn them into regulars. Top left used to buy often and stopped: win them back.",
            chart(heat, "rf_heatmap", first=False),
        )
    )

    distribution = go.Figure()
    for dimension, label in (("r", "Recency"), ("f", "Frequency"), ("m", "Monetary")):
        picked = [s for s in scores if s["dimension"] == dimension]
        distribution.add_trace(
            go.Bar(x=[str(s["score"]) for s in picked], y=[s["customers"] for s in picked], name=label)
        )
    distribution.update_layout(barmode="group", height=420, xaxis_title="Score (higher is better)")
    distribution.update_yaxes(title_text="Customers")
    sections.append(
        Section(
            "How the scores are spread",
            "Scores are quintiles: about a fifth of customers per score, except where many customers share a "
            "value (everyone who bought once has the same frequency) and so share a score.",
            chart(distribution, "score_distribution", first=False)
            + table(
                thresholds,
                {
                    "dimension": "Dimension",
                    "score": "Score",
                    "min_value": "From",
                    "max_value": "To",
                    "customers": "Customers",
                },
            ),
        )
    )

    sections.append(
        Section(
            "Value types (value_code)",
            "Each customer's R, F and M, each high (1) or low (0): 111 are the important value customers "
            "(recent, frequent, high spend), 000 the ones to re-engage. High is above the middle score (or, "
            "with var value_8_cut mean, better than the mean), whatever segment scheme the build used.",
            table(
                value_types(codes),
                {
                    "value_code": "Value code (R F M)",
                    "meaning": "Customers who are",
                    "customers": "Customers",
                    "customers_percent": "Customers (%)",
                    "revenue": "Revenue",
                    "revenue_percent": "Revenue (%)",
                },
            ),
        )
    )
    if concentration:
        sections.append(concentration_section(concentration[0]))
    # No chosen k: clustering off, or fewer than 3 distinct customers (everyone one cluster, nothing to show).
    if cluster_marts.get("profiles") and any(row["is_chosen"] for row in cluster_marts["selection"]):
        sections.append(cluster_section(**cluster_marts))

    if churn:
        sections.append(clv_section(churn, backtest))

    if evaluation:
        sections.append(uplift_section(evaluation))

    if migration:
        from_date, to_date = migration[0]["from_as_of_date"], migration[0]["to_as_of_date"]
        order = ["(new)", *names, "(gone)"]
        present_from = [s for s in order if any(m["from_segment"] == s for m in migration)]
        present_to = [s for s in order if any(m["to_segment"] == s for m in migration)]
        moved = {(m["from_segment"], m["to_segment"]): m["customers"] for m in migration}
        values = [[moved.get((f, t), 0) for t in present_to] for f in present_from]
        matrix = go.Figure(
            go.Heatmap(
                x=present_to,
                y=present_from,
                z=values,
                colorscale="Purples",
                text=[[f"{v:,}" if v else "" for v in line] for line in values],
                texttemplate="%{text}",
                hovertemplate="%{y} -> %{x}: %{z:,} customers<extra></extra>",
            )
        )
        matrix.update_layout(
            height=560,
            xaxis_title=f"Segment on {to_date}",
            yaxis_title=f"Segment on {from_date}",
            yaxis={"autorange": "reversed"},
        )
        sections.append(
            Section(
                f"Where customers moved, {from_date} to {to_date}",
                "Each row is a segment on the earlier date; read along it to see where its customers went. "
                "(new) are first-time customers; (gone) fell out of the lookback window.",
                chart(matrix, "migration_matrix", first=False),
            )
        )

    if len({t["as_of_date"] for t in trends}) > 1:
        lines = make_subplots(
            rows=1, cols=2, subplot_titles=("Customers per segment", "Share buying again the next period (%)")
        )
        for name in names:
            picked = [t for t in trends if t["segment"] == name]
            lines.add_trace(
                go.Scatter(
                    x=[t["as_of_date"] for t in picked], y=[t["customers"] for t in picked], name=name
                ),
                row=1,
                col=1,
            )
            kept = [t for t in picked if t["retained_next_period"] is not None]
            lines.add_trace(
                go.Scatter(
                    x=[t["as_of_date"] for t in kept],
                    y=[100 * number(t["retained_next_period"]) for t in kept],
                    name=name,
                    showlegend=False,
                ),
                row=1,
                col=2,
            )
        lines.update_layout(height=480)
        lines.update_xaxes(title_text="As-of date")
        lines.update_yaxes(title_text="Customers", row=1, col=1)
        lines.update_yaxes(title_text="% retained", row=1, col=2)
        sections.append(
            Section(
                "Segments over time",
                "How each segment grew or shrank, and how many of its customers bought again in the "
                "following period: compare a segment's strategy with the others'.",
                chart(lines, "segment_trends", first=False),
            )
        )

    title = f"RFM segments as of {facts.get('as_of_date', 'unknown date')}"
    lead = (
        f"{sum(s['customers'] for s in segments):,} customers from "
        f"{html.escape(str(facts.get('transactions_path')))}; "
        f"built by dbt invocation {html.escape(str(facts.get('invocation_id')))}, published "
        f"{html.escape(str(facts.get('published_at')))}. Report written {dt.date.today().isoformat()}."
    )
    body = "".join(
        f"<section><h2>{html.escape(section.title)}</h2>"
        f"<p class='how'>{html.escape(section.explanation)}</p>{section.body}</section>"
        for section in sections
    )
    page = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>{STYLE}{ERROR_CAPTURE}</head>"
        f"<body><h1>{html.escape(title)}</h1><p class='lead'>{lead}</p>{body}{RENDER_CHECK}</body></html>"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.partial")
    temporary.write_text(page, encoding="utf-8")
    temporary.replace(out)
    return out
