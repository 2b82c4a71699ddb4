"""Guards on the tooling: pins that cannot drift, a CI workflow that runs what .ci/run proves."""

from __future__ import annotations

import re

import tomllib
import yaml

from conftest import PROJECT


def dev_pins() -> dict[str, str]:
    pyproject = tomllib.loads((PROJECT / "pyproject.toml").read_text())
    pins = {}
    for requirement in pyproject["project"]["optional-dependencies"]["dev"]:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)", requirement)
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return pins


def test_pre_commit_pins_match_pyproject() -> None:
    config = yaml.safe_load((PROJECT / ".pre-commit-config.yaml").read_text())
    pins = dev_pins()
    hook_pins = [
        dependency
        for repo in config["repos"]
        for hook in repo["hooks"]
        for dependency in hook.get("additional_dependencies", [])
        if "==" in dependency
    ]
    assert hook_pins, "pre-commit hooks pin their tools"
    for dependency in hook_pins:
        name, version = dependency.split("==")
        assert pins.get(name.lower()) == version, f"{dependency} differs from pyproject.toml's dev pins"
    assert all(repo["repo"] == "local" for repo in config["repos"])


def test_workflow_runs_ci_and_posts_the_diff() -> None:
    workflow = yaml.safe_load((PROJECT / ".github" / "workflows" / "ci.yml").read_text())
    steps = [step.get("run", "") for step in workflow["jobs"]["test"]["steps"]]
    assert "bash .ci/run" in steps
    assert any("rfm diff --base" in step and "--format markdown" in step for step in steps)
    assert any("scripts/slim_ci.sh" in step for step in steps)
    assert any("gh pr comment" in step for step in steps)
    assert "bash scripts/test.sh" in (PROJECT / ".ci" / "run").read_text()
