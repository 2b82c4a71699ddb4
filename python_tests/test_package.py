"""The project as a dbt package (README, "Use it in your dbt project"): integration_tests/ is a small dbt
project of its own that installs this checkout with `packages.yml` (`local: ../`), stages its own orders under
its own column names, and points the package at them with a "{{ ref('stg_orders') }}" var. One `dbt deps` and
one `dbt build` there, as a consumer runs them, must build and test every package model and pass the project's
own hand-computed checks (integration_tests/tests/)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT, query

INTEGRATION = PROJECT / "integration_tests"
DBT = Path(sys.executable).with_name("dbt")


def dbt(command: list[str], scratch: Path) -> subprocess.CompletedProcess[str]:
    """One dbt command in integration_tests/, in its own process (its own profile and flags), with the
    database, target and logs under `scratch`."""
    environment = {
        **os.environ,
        "RFM_INTEGRATION_DUCKDB_PATH": str(scratch / "integration.duckdb"),
        "DBT_TARGET_PATH": str(scratch / "target"),
        "DBT_LOG_PATH": str(scratch / "logs"),
    }
    return subprocess.run(
        [str(DBT), *command, "--project-dir", str(INTEGRATION), "--profiles-dir", str(INTEGRATION)],
        cwd=INTEGRATION,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def integration_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    scratch = tmp_path_factory.mktemp("integration")
    # --vars are global: a var of the host project only (the package does not know it) must not be refused.
    for command in (["deps"], ["build", "--vars", "{shop_currency: EUR}"]):
        done = dbt(command, scratch)
        assert done.returncode == 0, f"dbt {command[0]} in integration_tests failed:\n{done.stdout[-6000:]}"
    return scratch


def test_the_package_builds_and_tests_every_model_inside_another_project(integration_build: Path) -> None:
    results = json.loads((integration_build / "target" / "run_results.json").read_text())["results"]
    statuses = {result["unique_id"]: result["status"] for result in results}
    manifest = json.loads((integration_build / "target" / "manifest.json").read_text())
    package_models = {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["package_name"] == "rfm"
    }
    # Every enabled package model ran (and with it its tests), the hand-computed checks among the tests.
    assert package_models and package_models <= set(statuses)
    assert {statuses[unique_id] for unique_id in package_models} == {"success"}
    assert statuses["test.rfm_integration_tests.assert_customer_rfm_matches_hand_computed"] == "pass"
    assert statuses["test.rfm_integration_tests.assert_orders_are_staged_or_quarantined_as_counted"] == "pass"
    assert not {unique_id for unique_id, status in statuses.items() if status in {"error", "fail", "skipped"}}


def test_the_package_reads_the_root_projects_model_by_ref(integration_build: Path) -> None:
    manifest = json.loads((integration_build / "target" / "manifest.json").read_text())
    staging = manifest["nodes"]["model.rfm.stg_transactions_classified"]
    # The var's ref() is a real dependency: dbt builds stg_orders first, and lineage shows it.
    assert "model.rfm_integration_tests.stg_orders" in staging["depends_on"]["nodes"]
    # A ref()'d input is its own lineage: the plain-name source stays disabled.
    assert "source.rfm.rfm_input.transactions" not in manifest["sources"]
    # Root-only parts are off in package mode: the file publication and the exposures that read it.
    assert "model.rfm.rfm_publication" not in manifest["nodes"]
    assert not manifest["exposures"]


def test_the_package_builds_into_the_schemas_the_root_project_sets(integration_build: Path) -> None:
    database = integration_build / "integration.duckdb"
    schemas = dict(
        query(database, "select table_schema, count(*) from information_schema.tables group by table_schema")
    )
    # integration_tests/dbt_project.yml sets +schema for the package's folders; its own models stay in main.
    assert set(schemas) == {"main", "rfm_staging", "rfm_intermediate", "rfm", "rfm_seeds"}
    assert query(database, "select count(*) from main.stg_orders") == [(33,)]
    assert query(database, "select count(*) from rfm.customer_rfm") == [(10,)]


def test_a_guard_sends_the_reader_to_the_quarantine_in_the_host_projects_schema(
    integration_build: Path, tmp_path: Path
) -> None:
    # One order of the 33 is quarantined (3%): past an error limit of 2%, the build stops in one sentence that
    # names the quarantine where the host put it (rfm_staging), not where the project alone puts it (staging).
    limits = "{reject_rate_warn: 0.01, reject_rate_error: 0.02}"
    done = dbt(["build", "--select", "+int_scoring_window", "--vars", limits], tmp_path)
    assert done.returncode == 1
    sentence = "(3.0%): see rfm_staging.rejected_transactions, fix the input, or raise the threshold."
    assert f"the most common reason is missing_customer_id {sentence}" in done.stdout
