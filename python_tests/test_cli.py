from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import MESSY, MESSY_AS_OF
from rfm.cli import main
from rfm.summary import format_table


def test_generate_command_writes_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "t.parquet"
    assert (
        main(["generate", "--transactions", "3000", "--customers", "200", "--out", str(out), "--quiet"]) == 0
    )
    assert out.exists()
    assert "Wrote 3,000 transactions for 200 customers" in capsys.readouterr().out


def test_run_prints_the_segment_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RFM_DUCKDB_PATH", str(tmp_path / "cli.duckdb"))
    assert main(["run", "--transactions", str(MESSY), "--as-of-date", MESSY_AS_OF]) == 0
    out = capsys.readouterr().out
    assert "RFM segments as of 2025-07-01 (exclusive): 8 customers from 12 transactions" in out
    assert "rejected: invalid_transaction_at 4, invalid_amount 3, missing_customer_id 3" in out
    lines = out.splitlines()
    table = lines[next(i for i, line in enumerate(lines) if line.startswith("segment  ")) :]
    assert table[0].split()[:3] == ["segment", "level", "customers"]  # the level beside the segment name
    assert table[2].split()[:2] == ["Champions", "VIP"]  # ordered by priority, empty segments included
    assert any(line.startswith("Loyal Customers ") and " 1 " in line for line in table)
    assert any(line.split()[:3] == ["Potential", "Loyalists", "Important"] for line in table)
    assert any(line.split()[:2] == ["Lost", "Basic"] for line in table)
    assert main(["summary"]) == 0
    assert "8 customers" in capsys.readouterr().out


def test_run_reports_a_missing_file_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--transactions", str(tmp_path / "nope.csv")]) == 2
    assert (
        capsys.readouterr().err.strip()
        == f"rfm: the transactions file '{tmp_path / 'nope.csv'}' does not exist."
    )


def test_bad_as_of_date_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--as-of-date", "2025-02-30"])
    assert "'2025-02-30' is not a date written YYYY-MM-DD" in capsys.readouterr().err


def test_format_table_aligns_numbers_and_clips_text() -> None:
    text = format_table(["name", "n"], [("a" * 50, 1234), ("b", None)], max_width=10)
    assert text.splitlines() == ["name            n", "----------  -----", "aaaaaaaaa…  1,234", "b"]


@pytest.mark.parametrize("source", ["vars", "env"])
def test_run_takes_the_input_from_vars_or_the_environment(
    source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RFM_DUCKDB_PATH", str(tmp_path / "cli.duckdb"))
    if source == "env":
        monkeypatch.setenv("RFM_TRANSACTIONS_PATH", str(MESSY))
        argv = ["run", "--vars", json.dumps({"as_of_date": MESSY_AS_OF})]
    else:
        argv = ["run", "--vars", json.dumps({"transactions_path": str(MESSY), "as_of_date": MESSY_AS_OF})]
    assert main(argv) == 0
    assert "RFM segments as of 2025-07-01 (exclusive): 8 customers" in capsys.readouterr().out


def test_rfm_acts_on_the_project_it_stands_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import rfm.project
    from conftest import PROJECT
    from rfm.project import project_dir

    clone = tmp_path / "clone"
    (clone / "models").mkdir(parents=True)
    (clone / "dbt_project.yml").write_text("name: rfm\n")
    monkeypatch.setenv("RFM_PROJECT_DIR", str(PROJECT))
    monkeypatch.chdir(clone)
    assert project_dir() == clone.resolve()  # as dbt: the project in the current directory wins
    monkeypatch.chdir(clone / "models")
    assert project_dir() == clone.resolve()  # and from a folder inside it
    monkeypatch.chdir(tmp_path)
    assert project_dir() == PROJECT  # no project here or above: RFM_PROJECT_DIR
    monkeypatch.delenv("RFM_PROJECT_DIR")
    assert project_dir() == Path(rfm.project.__file__).resolve().parents[2]  # else the install checkout
