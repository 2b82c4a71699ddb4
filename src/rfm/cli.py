"""The `rfm` command: generate sample data, run the dbt project, print the segment summary."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rfm import diff as differ
from rfm import generate as generator
from rfm import holdout as holdouts
from rfm.project import DEFAULT_SAMPLE, DbtError, database_path, project_dir, run_dbt
from rfm.report import build_report
from rfm.summary import render_summary

SAMPLE_TRANSACTIONS = 200_000
SAMPLE_CUSTOMERS = 10_000


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date written YYYY-MM-DD") from None


# dbt's --vars is YAML, where `as_of_date: 2025-02-30` stops dbt with a Python traceback; in JSON every text,
# dates included, is a quoted string that the project's var checks can refuse in a sentence.
VARS_JSON = (
    "--vars takes a JSON object, with names, texts and dates in double quotes, "
    'e.g. \'{"as_of_date": "2025-07-01", "rfm_bins": 4}\''
)


def parse_vars(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        raise argparse.ArgumentTypeError(VARS_JSON) from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(VARS_JSON)
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rfm", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    gen = commands.add_parser("generate", help="write a realistic sample transaction log (CSV or Parquet)")
    gen.add_argument("--transactions", type=int, required=True, help="number of rows")
    gen.add_argument("--customers", type=int, required=True, help="number of customers")
    gen.add_argument("--out", type=Path, required=True, help="output file, .csv or .parquet")
    gen.add_argument("--seed", type=int, default=42, help="random seed (default 42); same seed, same file")
    gen.add_argument(
        "--end-date",
        type=parse_date,
        default=generator.default_end_date(),
        help="last day of history (default %(default)s); a few late rows fall after it",
    )
    gen.add_argument(
        "--lines",
        action="store_true",
        help="write order lines (order_id, transaction_id = line number, quantity, unit_price; no amount), "
        "cancellations included; --transactions counts lines",
    )
    gen.add_argument("--quiet", action="store_true", help="no progress bar")

    run = commands.add_parser("run", help="build the project (dbt build) and print the segment summary")
    run.add_argument(
        "--transactions",
        type=Path,
        help=f"transactions file (default: the sample, generated at {DEFAULT_SAMPLE} if missing)",
    )
    run.add_argument(
        "--as-of-date",
        type=parse_date,
        help="exclusive as-of date (default: the day after the sample's end, or for your own "
        "file the day after its latest valid transaction)",
    )
    run.add_argument(
        "--history-start",
        type=parse_date,
        help="backfill the segment history from this date (default: one year before the sample's as-of "
        "date; for your own file, no backfill)",
    )
    run.add_argument("--vars", type=parse_vars, default={}, help="more dbt vars as a JSON object")

    commands.add_parser("summary", help="print the segment summary of the last build")

    report = commands.add_parser(
        "report", help="write the HTML report (opens offline) from the published marts"
    )
    report.add_argument(
        "--published",
        type=Path,
        default=None,
        help="the publication folder (default: RFM_PUBLISH_DIR, else published/)",
    )
    report.add_argument(
        "--out",
        type=Path,
        default=None,
        help="the HTML file (default: rfm_report.html in the publication folder)",
    )

    compare = commands.add_parser(
        "diff", help="what a change does to customers: build a git ref and the working tree, compare segments"
    )
    compare.add_argument(
        "--base", required=True, help="git ref to compare against, e.g. origin/main or HEAD~1"
    )
    compare.add_argument("--transactions", type=Path, help="input file for both builds (default: the sample)")
    compare.add_argument("--format", choices=["markdown", "json"], default="markdown")
    compare.add_argument("--out", type=Path, help="write the report here instead of standard output")
    compare.add_argument("--vars", type=parse_vars, default={}, help="more dbt vars for both builds (JSON)")

    hold = commands.add_parser(
        "holdout",
        help="split a campaign's customers into test and control per segment (hash of the campaign id), "
        "written as a contacts file",
    )
    hold.add_argument("--campaign", required=True, help="campaign id; the same id gives the same split")
    hold.add_argument("--share", type=float, default=0.1, help="share held out as control (default 0.1)")
    hold.add_argument("--segments", nargs="+", help="only these segments of customer_rfm (default: all)")
    hold.add_argument(
        "--contacted-at", type=parse_date, default=dt.date.today(), help="contact date (default: today)"
    )
    hold.add_argument("--out", type=Path, required=True, help="the contacts CSV to write")

    bench = commands.add_parser(
        "bench", help="time reading the input, the same scores without dbt, and the full dbt build"
    )
    bench.add_argument(
        "--sizes",
        default="1000000,10000000,100000000",
        help="transactions per run, comma-separated (default %(default)s); customers = 1/20",
    )
    bench.add_argument(
        "--peers",
        default="polars,pandas",
        help="peers: polars, pandas, naive (a polars script without rules), spark (dbt build --target spark)"
        " (default %(default)s; '' for none)",
    )
    bench.add_argument(
        "--workdir", type=Path, default=Path("data/bench"), help="generated files and databases"
    )
    bench.add_argument(
        "--out", type=Path, help="also write the report (markdown) here, e.g. docs/benchmarks.md"
    )
    bench.add_argument(
        "--formats", default="parquet", help="inputs: parquet, csv (default %(default)s; comma-separated)"
    )
    bench.add_argument(
        "--layouts",
        default="file",
        help="file (one file), daily (one file per day) (default %(default)s; comma-separated)",
    )
    bench.add_argument(
        "--lines",
        action="store_true",
        help="order lines (rfm generate --lines) instead of transactions; the peers group them into orders",
    )
    bench.add_argument("--runs", type=int, default=1, help="runs per contender; the median is reported")
    bench.add_argument("--timeout", type=float, default=3600, help="seconds per contender and size")
    bench.add_argument("--seed", type=int, default=42)
    return parser


def ensure_sample(project: Path) -> Path:
    sample = project / DEFAULT_SAMPLE
    if not sample.exists():
        print(f"Generating the sample: {SAMPLE_TRANSACTIONS:,} transactions -> {sample}", file=sys.stderr)
        generator.generate(sample, SAMPLE_TRANSACTIONS, SAMPLE_CUSTOMERS)
    return sample


def command_generate(args: argparse.Namespace) -> int:
    result = generator.generate(
        args.out,
        args.transactions,
        args.customers,
        seed=args.seed,
        end_date=args.end_date,
        progress=None if args.quiet else generator.print_progress,
        lines=args.lines,
    )
    print(
        f"Wrote {result.rows:,} {'order lines' if args.lines else 'transactions'} for {result.customers:,} "
        f"customers to {result.path} in {result.seconds:.1f}s (history ends {result.end_date})."
    )
    return 0


def resolve_input(args: argparse.Namespace, project: Path) -> tuple[dict[str, Any], str | None]:
    """dbt vars for one run, and an error sentence or None.

    The input is --transactions, else transactions_path or transactions_relation (a table or view) in --vars,
    else RFM_TRANSACTIONS_PATH, else the sample (generated if missing, scored the day after its history ends
    unless an as-of date is given). --as-of-date beats as_of_date in --vars.
    """
    variables: dict[str, Any] = dict(args.vars)
    if args.transactions is not None:
        if not args.transactions.exists() and not any(c in str(args.transactions) for c in "*?["):
            return variables, f"the transactions file '{args.transactions}' does not exist."
        variables["transactions_path"] = str(args.transactions.resolve())
    elif not (
        variables.get("transactions_path") or variables.get("transactions_relation")
    ) and not os.environ.get("RFM_TRANSACTIONS_PATH"):
        variables["transactions_path"] = str(ensure_sample(project))
        # The sample has late rows dated after its end: an as-of date right after it quarantines them.
        sample_as_of = generator.default_end_date() + dt.timedelta(days=1)
        variables.setdefault("as_of_date", sample_as_of.isoformat())
        # A year of monthly history, so the summary can show last month's movement between segments.
        year_before = sample_as_of.replace(year=sample_as_of.year - 1)
        variables.setdefault("history_start_date", year_before.isoformat())
    if args.as_of_date is not None:
        variables["as_of_date"] = args.as_of_date.isoformat()
    if getattr(args, "history_start", None) is not None:
        variables["history_start_date"] = args.history_start.isoformat()
    return variables, None


def command_run(args: argparse.Namespace) -> int:
    project = project_dir()
    variables, problem = resolve_input(args, project)
    if problem:
        print(f"rfm: {problem}", file=sys.stderr)
        return 2
    database = database_path(project)
    # A folder that can't be made (a read-only parent) is reported by run_dbt, in one sentence.
    with contextlib.suppress(OSError):
        database.parent.mkdir(parents=True, exist_ok=True)
    published = published_folder(project)
    os.environ["RFM_PUBLISH_DIR"] = str(published)  # the build's last node publishes there
    run_dbt(["build"], project, variables, database)
    print()
    print(render_summary(database))
    print(f"\nPublished for BI tools to {published} (Parquet per mart, rfm.duckdb); `rfm report` draws them.")
    return 0


def command_diff(args: argparse.Namespace) -> int:
    project = project_dir()
    if args.vars.get("transactions_relation"):
        # Both sides build in throwaway databases, which hold no warehouse table.
        print(
            "rfm: rfm diff builds both sides from a file: pass --transactions, not transactions_relation.",
            file=sys.stderr,
        )
        return 2
    args.as_of_date = None
    variables, problem = resolve_input(args, project)
    if problem:
        print(f"rfm: {problem}", file=sys.stderr)
        return 2
    transactions = Path(
        variables.pop("transactions_path", os.environ.get("RFM_TRANSACTIONS_PATH", ""))
    ).resolve()
    status = 0
    with tempfile.TemporaryDirectory(prefix="rfm-diff-") as workdir:
        try:
            report = differ.diff(project, args.base, transactions, variables, Path(workdir))
            text = report.to_json() if args.format == "json" else differ.to_markdown(report)
        except differ.DiffError as error:
            print(f"rfm: {error}", file=sys.stderr)
            message = str(error)
            text = (
                json.dumps({"base": args.base, "error": message}, indent=2)
                if args.format == "json"
                else differ.failure_markdown(args.base, message)
            )
            status = 1
    if args.out:
        args.out.write_text(text)
    else:
        print(text, end="")
    return status


def command_bench(args: argparse.Namespace) -> int:
    from rfm.bench import run as bench

    try:
        sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
    except ValueError:
        print(f"rfm: --sizes takes whole numbers separated by commas, got '{args.sizes}'.", file=sys.stderr)
        return 2
    formats = [name.strip() for name in args.formats.split(",") if name.strip()]
    layouts = [name.strip() for name in args.layouts.split(",") if name.strip()]
    unknown = sorted(set(formats) - set(bench.FORMATS)) + sorted(set(layouts) - set(bench.LAYOUTS))
    if unknown or args.runs < 1:
        print(
            f"rfm: --formats takes parquet and csv, --layouts file and daily, --runs a positive number;"
            f" got {', '.join(unknown) or args.runs}.",
            file=sys.stderr,
        )
        return 2
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    peers = [peer.strip() for peer in args.peers.split(",") if peer.strip()]
    load_at_start = os.getloadavg()[0]
    rows = []
    for size in sizes:
        files = bench.input_files(size, workdir, args.seed, args.lines)
        for file_format in formats:
            for layout in layouts:
                rows.append(
                    bench.bench_input(
                        size,
                        files,
                        file_format,
                        layout,
                        project_dir(),
                        workdir,
                        peers,
                        args.timeout,
                        args.runs,
                        args.lines,
                    )
                )
                print(bench.table(rows), flush=True)
    text = bench.report(rows, load_at_start, os.getloadavg()[0])
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("# Benchmarks\n\n" + text)
    print(text)
    failed = [row for row in rows if row.build.seconds is None]
    return 1 if failed else 0


def command_summary(_: argparse.Namespace) -> int:
    database = database_path(project_dir())
    if not database.exists():
        print(f"rfm: no build found at {database}; run `rfm run` first.", file=sys.stderr)
        return 2
    print(render_summary(database))
    return 0


def command_holdout(args: argparse.Namespace) -> int:
    database = database_path(project_dir())
    if not database.exists():
        print(f"rfm: no build found at {database}; run `rfm run` first.", file=sys.stderr)
        return 2
    customers = holdouts.read_customers(database, args.segments)
    contacts = holdouts.assign(customers, args.campaign, args.share, args.contacted_at)
    holdouts.write_contacts(contacts, args.out)
    control = sum(contact.arm == "control" for contact in contacts)
    print(
        f"Wrote {args.out}: {len(contacts):,} customers of campaign {args.campaign}, {control:,} held out "
        "as control; once they are contacted, build with "
        f'--vars \'{{"campaign_contacts_path": "{args.out}"}}\'.'
    )
    return 0


def published_folder(project: Path) -> Path:
    """RFM_PUBLISH_DIR, else the checkout's published/ (what the dbt build publishes to when rfm runs it)."""
    return Path(os.environ.get("RFM_PUBLISH_DIR") or project / "published")


def command_report(args: argparse.Namespace) -> int:
    published = args.published or published_folder(project_dir())
    out = args.out or published / "rfm_report.html"
    try:
        build_report(published, out)
    except FileNotFoundError as error:
        print(f"rfm: {error}", file=sys.stderr)
        return 2
    print(f"Wrote {out}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handlers = {
        "generate": command_generate,
        "run": command_run,
        "summary": command_summary,
        "diff": command_diff,
        "bench": command_bench,
        "report": command_report,
        "holdout": command_holdout,
    }
    try:
        return handlers[args.command](args)
    except (DbtError, ValueError) as error:
        print(f"rfm: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
