"""`rfm diff`: what a change to the project does to customers, for a pull request review.

Builds the project as it is at a git ref (in a temporary worktree) and as it is in the working tree, on the
same input and as-of date, each into its own DuckDB file, and compares `marts.customer_rfm` customer by
customer.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import yaml

from rfm.project import DbtError, run_dbt

#: Models and seeds only: the diff is about data; the PR's own CI runs the tests. Quiet: stdout is the report.
BUILD_DATA = ["--quiet", "build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
NEW = "(new)"
GONE = "(gone)"
WATCHED = ("models", "seeds", "macros", "tests", "analyses", "dbt_project.yml")


class DiffError(RuntimeError):
    """One side could not be built or compared; the message is one sentence."""


@dataclass
class Move:
    from_segment: str
    to_segment: str
    customers: int
    revenue: float
    scores_changed: int


@dataclass
class SegmentChange:
    segment: str
    customers_before: int
    customers_after: int
    revenue_before: float
    revenue_after: float


@dataclass
class Changes:
    models: list[str] = field(default_factory=list)
    seeds: list[str] = field(default_factory=list)
    macros: list[str] = field(default_factory=list)
    tests: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    vars: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class DiffReport:
    base: str
    base_commit: str
    transactions: str
    as_of_date: str
    customers: int
    moved: int
    moved_revenue: float
    revenue: float
    scores_changed_same_segment: int
    new_marts: list[str]
    removed_marts: list[str]
    segments: list[SegmentChange]
    matrix: list[Move]
    changes: Changes

    def to_json(self) -> str:
        payload = asdict(self)
        payload["matrix"] = [
            {
                "from": m.from_segment,
                "to": m.to_segment,
                "customers": m.customers,
                "revenue": m.revenue,
                "scores_changed": m.scores_changed,
            }
            for m in self.matrix
        ]
        return json.dumps(payload, indent=2, default=str)


def git(repo: Path, *args: str) -> str:
    completed = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise DiffError(f"git {' '.join(args)} failed: {completed.stderr.strip().splitlines()[-1:] or ['']}")
    return completed.stdout


@contextmanager
def worktree(repo: Path, ref: str) -> Iterator[tuple[Path, str]]:
    """A detached checkout of `ref` in a temporary folder, removed afterwards."""
    try:
        commit = git(repo, "rev-parse", "--verify", f"{ref}^{{commit}}").strip()
    except DiffError:
        raise DiffError(f"'{ref}' is not a commit in {repo}.") from None
    with tempfile.TemporaryDirectory(prefix="rfm-diff-base-") as folder:
        path = Path(folder) / "base"
        git(repo, "worktree", "add", "--detach", "--quiet", str(path), commit)
        try:
            yield path, commit
        finally:
            git(repo, "worktree", "remove", "--force", str(path))


def changed(repo: Path, commit: str) -> Changes:
    """Project files that differ between `commit` and the working tree (untracked ones included)."""
    lines = git(repo, "diff", "--name-status", commit, "--", *WATCHED).splitlines()
    statuses = {line.split("\t")[-1]: line.split("\t")[0][0] for line in lines if line}
    for path in git(repo, "ls-files", "--others", "--exclude-standard", "--", *WATCHED).splitlines():
        statuses[path] = "A"
    words = {"A": "added", "D": "removed", "M": "modified", "R": "renamed"}
    result = Changes()
    for path, status in sorted(statuses.items()):
        label = f"{Path(path).stem} ({words.get(status, 'changed')})"
        folder = path.split("/")[0]
        if folder == "models" and path.endswith(".sql"):
            result.models.append(label)
        elif folder == "seeds" and path.endswith(".csv"):
            result.seeds.append(label)
        elif folder == "macros":
            result.macros.append(label)
        elif folder == "tests":
            result.tests.append(label)
        elif path != "dbt_project.yml":
            result.other.append(path)
    before = project_vars(git(repo, "show", f"{commit}:dbt_project.yml"))
    after = project_vars((repo / "dbt_project.yml").read_text())
    for name in sorted(before.keys() | after.keys()):
        if before.get(name) != after.get(name):
            result.vars[name] = {"before": before.get(name), "after": after.get(name)}
    return result


def project_vars(text: str) -> dict[str, Any]:
    try:
        return dict((yaml.safe_load(text) or {}).get("vars") or {})
    except yaml.YAMLError:
        return {}


def build(project: Path, database: Path, variables: Mapping[str, Any], label: str) -> None:
    try:
        run_dbt(BUILD_DATA, project, variables, database)
    except DbtError as error:
        raise DiffError(f"The {label} failed to build: {error}") from None


def marts(database: Path) -> set[str]:
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    return {row[0] for row in rows}


def as_of_date(database: Path) -> str:
    with duckdb.connect(str(database), read_only=True) as connection:
        value = connection.execute("select max(as_of_date) from marts.customer_rfm").fetchall()[0][0]
    if value is None:
        raise DiffError("The working tree built no customers, so there is nothing to compare.")
    return str(value)


COMPARE_SQL = """
with
base_customers as (
    {base_select}
),
head_customers as (
    select customer_id, segment, rfm_cell, monetary from head.marts.customer_rfm
),
joined as (
    select
        coalesce(base_customers.segment, '{new}') as from_segment,
        coalesce(head_customers.segment, '{gone}') as to_segment,
        cast(coalesce(head_customers.monetary, base_customers.monetary) as double) as revenue,
        base_customers.rfm_cell is distinct from head_customers.rfm_cell as scores_changed
    from base_customers
    full outer join head_customers on base_customers.customer_id = head_customers.customer_id
)
select
    from_segment,
    to_segment,
    count(*) as customers,
    coalesce(sum(revenue), 0) as revenue,
    count(*) filter (where scores_changed) as scores_changed
from joined
group by from_segment, to_segment
order by customers desc, from_segment, to_segment
"""

SEGMENTS_SQL = """
with
sides as (
    select 'before' as side, segment, monetary from ({base_select})
    union all
    select 'after' as side, segment, monetary from head.marts.customer_rfm
)
select
    segment,
    count(*) filter (where side = 'before') as customers_before,
    count(*) filter (where side = 'after') as customers_after,
    coalesce(sum(cast(monetary as double)) filter (where side = 'before'), 0) as revenue_before,
    coalesce(sum(cast(monetary as double)) filter (where side = 'after'), 0) as revenue_after
from sides
group by segment
order by customers_after desc, customers_before desc, segment
"""


def compare(base_db: Path, head_db: Path, base_has_customers: bool) -> tuple[list[Move], list[SegmentChange]]:
    base_select = (
        "select customer_id, segment, rfm_cell, monetary from base.marts.customer_rfm"
        if base_has_customers
        else "select cast(null as varchar) as customer_id, cast(null as varchar) as segment, "
        "cast(null as varchar) as rfm_cell, cast(null as decimal(18, 2)) as monetary where false"
    )
    with duckdb.connect() as connection:
        connection.execute(f"attach '{str(base_db).replace(chr(39), chr(39) * 2)}' as base (read_only)")
        connection.execute(f"attach '{str(head_db).replace(chr(39), chr(39) * 2)}' as head (read_only)")
        moves = [
            Move(*row)
            for row in connection.execute(
                COMPARE_SQL.format(base_select=base_select, new=NEW, gone=GONE)
            ).fetchall()
        ]
        segments = [
            SegmentChange(*row)
            for row in connection.execute(SEGMENTS_SQL.format(base_select=base_select)).fetchall()
        ]
    return moves, segments


def diff(
    repo: Path,
    base: str,
    transactions: Path,
    variables: Mapping[str, Any],
    workdir: Path,
) -> DiffReport:
    """Build both sides and compare them. Raises DiffError with one sentence when either side cannot build."""
    head_db, base_db = workdir / "head" / "rfm.duckdb", workdir / "base" / "rfm.duckdb"
    head_db.parent.mkdir(parents=True, exist_ok=True)
    base_db.parent.mkdir(parents=True, exist_ok=True)
    shared = {**variables, "transactions_path": str(transactions)}
    build(repo, head_db, shared, "working tree")
    # The same as-of date on both sides, even when the working tree derived it from the data.
    shared["as_of_date"] = as_of_date(head_db)
    with worktree(repo, base) as (base_project, commit):
        build(base_project, base_db, shared, f"base {base}")
        changes = changed(repo, commit)
    head_marts, base_marts = marts(head_db), marts(base_db)
    moves, segments = compare(base_db, head_db, "customer_rfm" in base_marts)
    customers = sum(m.customers for m in moves)
    moved = [m for m in moves if m.from_segment != m.to_segment]
    return DiffReport(
        base=base,
        base_commit=commit,
        transactions=str(transactions),
        as_of_date=shared["as_of_date"],
        customers=customers,
        moved=sum(m.customers for m in moved),
        moved_revenue=sum(m.revenue for m in moved),
        revenue=sum(m.revenue for m in moves),
        scores_changed_same_segment=sum(m.scores_changed for m in moves if m.from_segment == m.to_segment),
        new_marts=sorted(head_marts - base_marts),
        removed_marts=sorted(base_marts - head_marts),
        segments=segments,
        matrix=moves,
        changes=changes,
    )


def share(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


def money(value: float) -> str:
    return f"{value:,.0f}"


def signed(value: float, as_money: bool = False) -> str:
    text = money(abs(value)) if as_money else f"{abs(value):,}"
    return "0" if value == 0 else f"{'+' if value > 0 else '-'}{text}"


def to_markdown(report: DiffReport, max_moves: int = 15) -> str:
    moved_share = share(report.moved, report.customers)
    lines = [
        "### RFM segment impact",
        "",
        f"Base `{report.base}` (`{report.base_commit[:8]}`) vs this change, "
        f"on `{Path(report.transactions).name}`, as of {report.as_of_date}.",
        "",
        f"**{report.moved:,} of {report.customers:,} customers ({moved_share}) change "
        f"segment, carrying {share(report.moved_revenue, report.revenue)} of revenue.** "
        f"{report.scores_changed_same_segment:,} more change scores but keep their segment.",
    ]
    for mart in report.new_marts:
        lines += ["", f"`marts.{mart}` is new in this change."]
    for mart in report.removed_marts:
        lines += ["", f"`marts.{mart}` is removed by this change."]
    lines += [
        "",
        "| segment | customers before | after | change | revenue before | after |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for s in report.segments:
        change = signed(s.customers_after - s.customers_before)
        lines.append(
            f"| {s.segment} | {s.customers_before:,} | {s.customers_after:,} | {change} | "
            f"{money(s.revenue_before)} | {money(s.revenue_after)} |"
        )
    moved = [m for m in report.matrix if m.from_segment != m.to_segment]
    if moved:
        lines += [
            "",
            "**Moves** (from → to)",
            "",
            "| from | to | customers | revenue |",
            "|---|---|---:|---:|",
        ]
        for m in moved[:max_moves]:
            lines.append(f"| {m.from_segment} | {m.to_segment} | {m.customers:,} | {money(m.revenue)} |")
        if len(moved) > max_moves:
            rest = moved[max_moves:]
            lines.append(
                f"| *{len(rest)} more moves* | | {sum(m.customers for m in rest):,} | "
                f"{money(sum(m.revenue for m in rest))} |"
            )
    lines += ["", "**What changed**", ""]
    c = report.changes
    listed = False
    for title, items in (
        ("models", c.models),
        ("seeds", c.seeds),
        ("macros", c.macros),
        ("tests", c.tests),
        ("other files", c.other),
    ):
        if items:
            lines.append(f"- {title}: {', '.join(items)}")
            listed = True
    for name, values in c.vars.items():
        lines.append(f"- var `{name}`: `{values['before']}` → `{values['after']}`")
        listed = True
    if not listed:
        lines.append("- no model, seed, macro, test or var")
    return "\n".join(lines) + "\n"


def failure_markdown(base: str, message: str) -> str:
    return f"### RFM segment impact\n\nNo comparison against `{base}`: {message}\n"
