"""`rfm report`, looked at as a person would: opened in headless Chromium, every chart drawn, no script
errors; the screenshot is kept as a CI artifact (artifacts/report.png)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import PROJECT, build_project
from rfm.cli import main
from rfm.generate import generate

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: Flags for a sandboxed, offline machine (no first-run UI, no background connections that would be refused).
HEADLESS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of a build with a year of monthly history (every chart, the migration matrix too)."""
    work = tmp_path_factory.mktemp("report")
    transactions = work / "transactions.csv"
    generate(transactions, transactions=20_000, customers=1_000, seed=3)
    published = work / "published"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RFM_PUBLISH_DIR", str(published))
        build_project(
            work / "rfm.duckdb", transactions, as_of_date="2026-01-01", history_start_date="2025-01-01"
        )
    out = work / "report.html"
    assert main(["report", "--published", str(published), "--out", str(out)]) == 0
    return out


def test_the_report_is_self_contained(report: Path) -> None:
    page = report.read_text()
    # Every script and style inline: nothing to fetch, so it opens offline.
    assert not re.search(r"<(script|link|img)\b[^>]*\b(src|href)=", page)
    for heading in (
        "Segments: how many customers",
        "The R x F map",
        "How the scores are spread",
        "Where customers moved",
    ):
        assert heading in page
    assert "Reward them" in page  # the playbook beside the segments


@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("RFM_REQUIRE_CHROMIUM"),
    reason="Chromium is not installed (.ci/run installs Debian's chromium and requires this test)",
)
def test_the_report_renders_in_chromium(report: Path, tmp_path: Path) -> None:
    assert CHROMIUM is not None, "RFM_REQUIRE_CHROMIUM is set but chromium is not on PATH"
    profile = tmp_path / "profile"
    dom = subprocess.run(
        [
            CHROMIUM,
            *HEADLESS,
            f"--user-data-dir={profile}",
            "--virtual-time-budget=20000",
            "--dump-dom",
            report.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    ).stdout
    body = re.search(r"<body([^>]*)>", dom)
    assert body is not None
    attributes = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', body.group(1)))
    assert json.loads(attributes["errors"].replace("&quot;", '"')) == []
    assert int(attributes["charts-expected"]) == 5
    assert attributes["charts-rendered"] == attributes["charts-expected"]

    artifacts = PROJECT / "artifacts"
    artifacts.mkdir(exist_ok=True)
    screenshot = artifacts / "report.png"
    subprocess.run(
        [
            CHROMIUM,
            *HEADLESS,
            f"--user-data-dir={profile}",
            "--virtual-time-budget=20000",
            "--window-size=1280,4200",
            f"--screenshot={screenshot}",
            report.as_uri(),
        ],
        capture_output=True,
        timeout=180,
        check=True,
    )
    assert screenshot.stat().st_size > 50_000
