"""`rfm diff` end to end: a throwaway git repo holding this project, commits that change it, the report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MESSY, MESSY_AS_OF, TARGET, commit
from rfm.cli import main


def invoke_diff(repo: Path, capsys: pytest.CaptureFixture[str], output_format: str) -> tuple[int, str]:
    """`rfm diff --base HEAD~1` on the messy fixture; the exit status and the report's text."""
    out = repo / f"diff.{'json' if output_format == 'json' else 'md'}"
    status = main(
        [
            "diff", "--base", "HEAD~1", "--transactions", str(MESSY), "--format", output_format,
            "--out", str(out), "--vars", json.dumps({"as_of_date": MESSY_AS_OF}),
        ]
    )  # fmt: skip
    capsys.readouterr()
    return status, out.read_text()


def run_diff(repo: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    status, text = invoke_diff(repo, capsys, "json")
    return status, json.loads(text)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_a_new_default_scheme_moves_every_customer(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(repo / "dbt_project.yml", "segment_scheme: classic_11", "segment_scheme: value_8")
    commit(repo, "value_8 by default")
    status, report = run_diff(repo, capsys)
    assert status == 0
    assert report["customers"] == 8
    assert report["moved"] == 8
    assert sum(row["customers"] for row in report["matrix"]) == report["customers"]
    assert {(row["from"], row["to"]) for row in report["matrix"]} >= {
        ("Loyal Customers", "Important Development")
    }
    assert report["changes"]["vars"] == {"segment_scheme": {"before": "classic_11", "after": "value_8"}}


def test_a_comment_only_change_moves_nobody(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(repo / "models" / "marts" / "customer_rfm.sql", "with\n", "-- a reviewer's note\nwith\n")
    commit(repo, "comment")
    status, report = run_diff(repo, capsys)
    assert status == 0
    assert (report["customers"], report["moved"], report["scores_changed_same_segment"]) == (8, 0, 0)
    assert report["changes"]["models"] == ["customer_rfm (modified)"]
    assert all(row["from"] == row["to"] for row in report["matrix"])


def test_a_scoring_change_shows_the_migration_matrix_in_markdown(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(
        repo / "dbt_project.yml",
        "rfm_score_weights: {recency: 100, frequency: 10, monetary: 1}",
        "rfm_score_weights: {recency: 100, frequency: 10, monetary: 2}",
    )
    edit(
        repo / "seeds" / "rfm_segment_map.csv",
        "classic_11,5,5,5,4,4,3,3,5,5,Loyal Customers",
        "classic_11,5,5,5,4,4,3,3,5,5,Champions",
    )
    commit(repo, "435 is a champion now")
    status, text = invoke_diff(repo, capsys, "markdown")
    assert status == 0
    assert "**1 of 8 customers (12.5%) change segment, carrying 41.5% of revenue.**" in text
    assert "| Loyal Customers | Champions | 1 | 120 |" in text
    assert "- seeds: rfm_segment_map (modified)" in text
    assert "- var `rfm_score_weights`" in text
    # Prose wraps in a PR comment; tables don't, so they must fit without scrolling sideways.
    assert max(len(line) for line in text.splitlines() if line.startswith("|")) < 100


def test_a_base_that_fails_to_build_is_reported_in_one_sentence(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = repo / "models" / "marts" / "rfm_cell_summary.sql"
    good = model.read_text()
    model.write_text(good.replace("count(*) as customers,", "count(*) as customers, no_such_column,", 1))
    commit(repo, "broken")
    model.write_text(good)
    commit(repo, "fixed")
    status, report = run_diff(repo, capsys)
    assert status == 1
    assert report["base"] == "HEAD~1"
    assert report["error"].startswith("The base HEAD~1 failed to build: dbt ")
    assert "rfm_cell_summary" in report["error"]
    assert "\n" not in report["error"]


def test_a_base_that_predates_the_marts_reports_them_as_new(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keep = {p: p.read_text() for p in (repo / "models" / "marts").rglob("*") if p.is_file()}
    dependants = [
        repo / "tests" / "assert_customers_sit_in_their_nearest_cluster.sql",
        repo / "tests" / "assert_cluster_migration_reconciles_with_history.sql",
        repo / "models" / "intermediate" / "int_customer_history_scaled_to_cluster_points.sql",
        repo / "models" / "intermediate" / "int_customers_sampled_for_clusters.sql",
        repo / "models" / "intermediate" / "int_customer_clusters_aggregated_to_clusters.sql",
        repo / "tests" / "assert_customer_totals_reconcile_with_staging.sql",
        repo / "tests" / "assert_summaries_reconcile_with_customers.sql",
        repo / "tests" / "assert_history_current_date_equals_customer_rfm.sql",
        repo / "tests" / "assert_segment_migration_reconciles_with_history.sql",
        repo / "tests" / "assert_revenue_concentration_reconciles.sql",
        repo / "tests" / "assert_clv_fits_are_trusted.sql",
        repo / "tests" / "assert_clv_backtest_error_is_small.sql",
        repo / "tests" / "assert_clv_scores_agree_in_sql_and_python.sql",
        repo / "models" / "intermediate" / "int_customers_scored_for_clv.sql",
        *(repo / "analyses").iterdir(),
    ]
    keep |= {p: p.read_text() for p in dependants}
    for path in keep:
        path.unlink()
    commit(repo, "before the marts")
    for path, text in keep.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    commit(repo, "the marts")
    status, report = run_diff(repo, capsys)
    assert status == 0
    assert report["new_marts"] == [
        "churn_alerts",
        "cluster_centroids",
        "cluster_dendrogram",
        "cluster_k_selection",
        "cluster_migration",
        "cluster_profiles",
        "cluster_scaling",
        "clv_backtest",
        "clv_model_parameters",
        "customer_clusters",
        "customer_clusters_history",
        "customer_clv",
        "customer_rfm",
        "customer_rfm_history",
        "metricflow_time_spine",
        "revenue_concentration",
        "rfm_cell_summary",
        "rfm_publication",
        "rfm_score_thresholds",
        "rfm_segment_summary",
        "segment_migration",
        "segment_trends",
    ]
    assert report["moved"] == report["customers"] == 8
    assert {row["from"] for row in report["matrix"]} == {"(new)"}
    assert "customer_rfm (added)" in report["changes"]["models"]


def test_an_unknown_base_is_one_sentence(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["diff", "--base", "no-such-ref", "--transactions", str(MESSY)])
    assert status == 1
    assert f"rfm: 'no-such-ref' is not a commit in {repo}." in capsys.readouterr().err


def test_slim_ci_builds_only_the_change_and_its_children(repo: Path) -> None:
    edit(repo / "models" / "marts" / "rfm_cell_summary.sql", "with\n", "-- touched by this change\nwith\n")
    commit(repo, "touch one mart")
    variables = json.dumps({"transactions_path": str(MESSY), "as_of_date": MESSY_AS_OF})
    completed = subprocess.run(
        ["bash", str(repo / "scripts" / "slim_ci.sh"), "HEAD~1", variables],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"},
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-2000:]
    results = json.loads((repo / TARGET / "run_results.json").read_text())["results"]
    built = {r["unique_id"] for r in results}
    assert "model.rfm.rfm_cell_summary" in built
    # The changed mart, its tests, the publication that republishes it (with its tests), the exposures, and
    # the project's on-run-start hook, which every invocation runs.
    expected = (
        "rfm_cell_summary",
        "summaries_reconcile",
        "rfm_publication",
        "exposure.rfm.",
        "rfm-on-run-start",
    )
    assert all(any(name in node for name in expected) for node in built), built
    assert not any("stg_transactions" in node or "customer_rfm" in node.split(".")[-1] for node in built)
    assert all(r["status"] in {"success", "pass", "no-op"} for r in results), [
        (r["unique_id"], r["status"]) for r in results
    ]
