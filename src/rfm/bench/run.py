"""Run the benchmark: per size, generate a Parquet file once and derive every input from it (Parquet or CSV,
one file or a folder of daily files); then time each contender in its own process, several runs, and read its
peak memory from the kernel (wait4's ru_maxrss), so no contender measures itself. Three tiers on the same
files: T0 reads the input once; T1 computes the same scores without dbt (a DuckDB floor, polars, pandas), each
checked equal to the build's customer_rfm; T2 is the full `dbt build`, then its daily increment. With `lines`,
the rows are order lines (`rfm generate --lines`), which the peers group into orders as the build does."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

from rfm import generate as generator

HERE = Path(__file__).resolve().parent


@dataclass
class Measurement:
    seconds: float | None
    peak_mb: float | None
    note: str = ""
    cpu_seconds: float | None = None

    def cell(self) -> str:
        if self.seconds is None:
            return self.note
        cpu = f" (CPU {self.cpu_seconds:,.1f} s)" if self.cpu_seconds is not None else ""
        note = f"; {self.note}" if self.note else ""
        return f"{self.seconds:,.1f} s{cpu} / {self.peak_mb:,.0f} MB{note}"


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants now (Linux /proc), in MB; 0 once it is gone."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            rss_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
            total += rss_kb / 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total


def measure(
    command: list[str],
    log: Path,
    env: dict[str, str] | None = None,
    timeout: float = 3600,
    whole_tree: bool = False,
) -> Measurement:
    """Wall time and peak resident memory of one command (and the children it waits for). whole_tree: sample
    the summed memory of every descendant instead, for commands whose children are not waited for (the JVM
    pyspark starts), so the peak is sampled and approximate (shared pages count once per process)."""
    started = time.perf_counter()
    tree_peak_mb = 0.0
    with log.open("w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env)
        deadline = started + timeout
        while True:
            if whole_tree:
                tree_peak_mb = max(tree_peak_mb, tree_rss_mb(process.pid))
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                os.wait4(process.pid, 0)
                return Measurement(None, None, f"over {timeout:.0f} s")
            time.sleep(0.05)
    seconds = time.perf_counter() - started
    peak_mb = max(usage.ru_maxrss / 1024, tree_peak_mb)
    # User + system time of the process and the children it waited for (a JVM it did not wait for is missed).
    cpu_seconds = usage.ru_utime + usage.ru_stime
    if os.waitstatus_to_exitcode(status) != 0:
        tail = log.read_text()[-300:].strip().splitlines()
        return Measurement(None, None, f"failed: {tail[-1] if tail else 'no output'}")
    return Measurement(seconds, peak_mb, cpu_seconds=cpu_seconds)


def installed(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def machine() -> str:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        model = next(
            (
                line.split(":", 1)[1].strip()
                for line in cpuinfo.read_text().splitlines()
                if line.startswith("model name")
            ),
            "",
        )
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({model or platform.machine()}), {memory:.0f} GiB RAM, {platform.system()}"
    )


FORMATS = ("parquet", "csv")
LAYOUTS = ("file", "daily")


@dataclass
class Row:
    transactions: int
    customers: int
    file_format: str
    layout: str
    files: int
    read: Measurement
    build: Measurement
    floor: Measurement
    polars: Measurement
    pandas: Measurement
    incremental: Measurement | None = None
    spark: Measurement | None = None
    naive: Measurement | None = None
    lines: bool = False
    #: Inside the full build (median of runs, from dbt's run_results.json): the scoring model's seconds, the
    #: cluster models' together, and the churn and value models' together.
    scoring_seconds: float | None = None
    clustering_seconds: float | None = None
    clv_seconds: float | None = None


def ratio(a: Measurement, b: Measurement) -> str:
    if a.seconds is None or b.seconds is None or not b.seconds:
        return "n/a"
    return f"{a.seconds / b.seconds:.2f}x"


def table(rows: list[Row]) -> str:
    with_spark = any(r.spark is not None for r in rows)
    with_naive = any(r.naive is not None for r in rows)
    header = (
        "| transactions | customers | input | T0 read once | T1 DuckDB floor | T1 polars | T1 pandas"
        " | T2 dbt build | build / floor | build / polars | T2 incremental (+1% new file)"
        " | incremental / build | in T2: scoring model | in T2: cluster models | clusters / scoring"
        " | in T2: churn and value models |"
    )
    rule = "|---:|---:|---|---|---|---|---|---|---:|---:|---|---:|---:|---:|---:|---:|"
    if with_spark:
        header += " dbt build on Spark | Spark / DuckDB build |"
        rule += "---|---:|"
    if with_naive:
        header += " yardstick: naive polars, no validation | build / naive |"
        rule += "---|---:|"
    lines = [header, rule]
    for r in rows:
        incremental = r.incremental or Measurement(None, None, "not run")
        files = "1 file" if r.files == 1 else f"{r.files:,} daily files"
        files += " of order lines" if r.lines else ""
        cells = [f"{r.transactions:,}", f"{r.customers:,}", f"{r.file_format}, {files}", r.read.cell()]
        cells += [r.floor.cell(), r.polars.cell(), r.pandas.cell(), r.build.cell()]
        cells += [ratio(r.build, r.floor), ratio(r.build, r.polars), incremental.cell()]
        cells += [ratio(incremental, r.build)]
        cells += [seconds_cell(r.scoring_seconds), seconds_cell(r.clustering_seconds)]
        cells += [
            f"{r.clustering_seconds / r.scoring_seconds:.2f}x"
            if r.clustering_seconds is not None and r.scoring_seconds
            else "n/a"
        ]
        cells += [seconds_cell(r.clv_seconds)]
        if with_spark:
            spark = r.spark or Measurement(None, None, "skipped")
            cells += [spark.cell(), ratio(spark, r.build)]
        if with_naive:
            naive = r.naive or Measurement(None, None, "skipped")
            cells += [naive.cell(), ratio(r.build, naive)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def seconds_cell(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds:,.1f} s"


def median(runs: list[Measurement]) -> Measurement:
    """The run of median wall time (its own CPU seconds and peak memory); a failure if any run failed."""
    failed = [run for run in runs if run.seconds is None]
    if failed:
        return failed[0]
    ordered = sorted(runs, key=lambda run: run.seconds or 0.0)
    chosen = ordered[(len(ordered) - 1) // 2]  # of an even count, the lower middle: a run that happened
    if len(runs) > 1:
        spread = f"median of {len(runs)}, {ordered[0].seconds:,.1f}-{ordered[-1].seconds:,.1f} s"
        return Measurement(chosen.seconds, chosen.peak_mb, spread, chosen.cpu_seconds)
    return chosen


#: The daily increment: 1% of the history's rows again, as new transactions (new ids) on the day after it.
INCREMENT_SQL = """
copy (
    select
        transaction_id + (select max(transaction_id) from read_parquet({history})) as transaction_id,
        customer_id,
        cast(date '{day}' as timestamp)
            + (transaction_at - date_trunc('day', transaction_at)) as transaction_at,
        amount
    from read_parquet({history})
    where transaction_id % 100 = 0
) to '{out}' ({options})
"""

#: The same for order lines: 1% of the history's orders again, as new orders (new order ids).
INCREMENT_LINES_SQL = """
copy (
    select * replace (
        'next-' || order_id as order_id,
        cast(date '{day}' as timestamp)
            + (transaction_at - date_trunc('day', transaction_at)) as transaction_at
    )
    from read_parquet({history})
    where hash(order_id) % 100 = 0
) to '{out}' ({options})
"""


#: Sizes above this are made of parts of this many rows (a partitioned log), so that a billion rows does not
#: need a billion rows' generation: part k is the base file with new transaction ids and customer ids (for
#: order lines, new line ids: no (order_id, transaction_id) pair repeats across parts).
PART_ROWS = 100_000_000

PART_SQL = """
copy (
    select * replace (
        transaction_id + {part} * 10_000_000_000 as transaction_id,
        customer_id || '-{part}' as customer_id
    )
    from read_parquet('{base}')
) to '{out}' (format parquet)
"""

#: One file per day of transaction_at, rows in their order; a row without a valid one lands on a day picked by
#: its transaction_id, as a bad row sits in some day's export (a file of bad rows only would trip the guard).
DAILY_SQL = """
copy (
    select
        *,
        strftime(
            coalesce(
                cast(transaction_at as date),
                (select min(cast(transaction_at as date)) from read_parquet({sources}))
                    + cast(transaction_id % 1000 as integer)
            ),
            '%Y-%m-%d'
        ) as day
    from read_parquet({sources})
) to '{out}' ({options}, partition_by (day), write_partition_columns false)
"""


def in_child(statements: list[str]) -> list:
    """Run DuckDB statements in a child process and return the last one's first row: the benchmark process
    stays small, so a contender it starts does not inherit its memory (the kernel counts a forked copy in the
    child's peak before `exec`)."""
    code = (
        # No progress bar: on a long statement DuckDB draws it on stdout, which carries the answer.
        "import duckdb, json, sys; c = duckdb.connect(); r = None\n"
        "c.execute('set enable_progress_bar = false')\n"
        "for s in json.loads(sys.argv[1]): r = c.execute(s).fetchone()\n"
        "print(json.dumps(list(r) if r else [], default=str))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, json.dumps(statements)], capture_output=True, text=True
    )
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        reason = next((line for line in reversed(lines) if "Error" in line), lines[-1] if lines else "")
        if done.returncode < 0:  # killed, most often by the kernel out of memory: no message of its own
            reason = f"killed by {signal.Signals(-done.returncode).name} {reason}".strip()
        raise RuntimeError(f"A DuckDB step of the benchmark failed (exit {done.returncode}): {reason}")
    return json.loads(done.stdout)


def literal(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def input_files(size: int, workdir: Path, seed: int, lines: bool = False) -> list[Path]:
    """The generated input of one size: one file, or for big sizes PART_ROWS-row parts of a base file; with
    `lines`, order lines (`rfm generate --lines`)."""
    kind = "lines" if lines else "transactions"
    base_size = min(size, PART_ROWS)
    base = workdir / f"{kind}_{base_size}.parquet"
    if not base.exists():
        print(f"generating {base_size:,} {'order lines' if lines else 'transactions'} ...", file=sys.stderr)
        arguments = [
            "generate",
            "--transactions",
            str(base_size),
            "--customers",
            str(max(base_size // 20, 1)),
        ]
        arguments += ["--seed", str(seed), "--out", str(base), *(["--lines"] if lines else [])]
        code = "import sys; from rfm.cli import main; raise SystemExit(main(sys.argv[1:]))"
        subprocess.run([sys.executable, "-c", code, *arguments], check=True)
    if size <= PART_ROWS:
        return [base]
    parts = [base]
    for part in range(1, -(-size // PART_ROWS)):
        out = workdir / f"{kind}_{size}_part{part:03d}.parquet"
        if not out.exists():
            print(
                f"writing part {part} of {size:,} {'order lines' if lines else 'transactions'} ...",
                file=sys.stderr,
            )
            temporary = out.with_name(f".{out.name}.partial")
            in_child([PART_SQL.format(part=part, base=base, out=temporary)])
            temporary.rename(out)
        parts.append(out)
    return parts


def prepare_input(
    files: list[Path], workdir: Path, size: int, file_format: str, layout: str, lines: bool = False
) -> tuple[Path, str]:
    """A folder holding the input in this format and layout, and the glob that reads it: written once and kept
    (a finished folder has a .done file); one Parquet file is linked, not copied."""

    folder = workdir / f"input_{size}_{file_format}_{layout}{'_lines' if lines else ''}"
    pattern = f"part-*.{file_format}" if layout == "file" else f"day=*/*.{file_format}"
    if (folder / ".done").exists():
        return folder, pattern
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    sources = "[" + ", ".join(literal(file) for file in files) + "]"
    rows = "order lines" if lines else "transactions"
    print(f"writing the {file_format} input ({layout}) of {size:,} {rows} ...", file=sys.stderr)
    if layout == "daily":
        options = "format csv, header true" if file_format == "csv" else "format parquet"
        in_child([DAILY_SQL.format(sources=sources, out=str(folder).replace("'", "''"), options=options)])
    for number, file in enumerate(files if layout == "file" else []):
        target = folder / f"part-{number:04d}.{file_format}"
        if file_format == "parquet":
            try:
                os.link(file, target)
            except OSError:  # another file system: a copy
                shutil.copy2(file, target)
        else:
            in_child([f"copy (from read_parquet({literal(file)})) to {literal(target)} (header)"])
    (folder / ".done").touch()
    return folder, pattern


#: A CSV is read as the project reads it: every value as text, the dialect pinned (a sniffed dialect reads
#: an empty quoted id, "", as two characters in a file that happens to hold no other quote).
CSV_OPTIONS = "all_varchar = true, header = true, delim = ',', quote = '\"', escape = '\"'"

#: T0: every column of every row read once, and nothing else.
READ_SQL = {
    "parquet": "select count(*), max(customer_id), max(transaction_at), sum(amount), max(transaction_id)"
    " from read_parquet({glob})",
    "csv": "select count(*), max(customer_id), max(transaction_at), max(amount), max(transaction_id)"
    f" from read_csv({{glob}}, {CSV_OPTIONS})",
}
READ_LINES_SQL = {
    "parquet": "select count(*), max(order_id), max(customer_id), max(transaction_at), sum(quantity),"
    " sum(unit_price), max(transaction_id) from read_parquet({glob})",
    "csv": "select count(*), max(order_id), max(customer_id), max(transaction_at), max(quantity),"
    f" max(unit_price), max(transaction_id) from read_csv({{glob}}, {CSV_OPTIONS})",
}

SCAN_SQL = {
    "parquet": "(select cast(file_index as bigint) * 1099511627776 + file_row_number as position, *"
    " from read_parquet({glob}))",
    "csv": f"(select row_number() over () as position, * from read_csv({{glob}}, {CSV_OPTIONS}))",
}

COMPARE_SQL = """
select count(*) from (
    select customer_id, r_score, f_score, m_score from read_parquet({scores})
) as peer
full outer join (
    select customer_id, r_score, f_score, m_score from build.marts.customer_rfm
) as built using (customer_id)
where peer.r_score is distinct from built.r_score
    or peer.f_score is distinct from built.f_score
    or peer.m_score is distinct from built.m_score
"""


def disagreement(scores: Path, database: Path) -> str | None:
    """None when a contender's scores equal customer_rfm for every customer; else what differs."""
    attach = f"attach {literal(database)} as build (read_only)"
    total_sql = "select count(*) from build.marts.customer_rfm"
    differing, total = in_child(
        [attach, f"select ({COMPARE_SQL.format(scores=literal(scores))}), ({total_sql})"]
    )
    if differing:
        return f"disagrees with customer_rfm on {differing:,} of {total:,} customers (not timed)"
    return None


def write_increment(history: str, out: Path, file_format: str, lines: bool = False) -> None:
    """The increment, from the Parquet the history was made from (a list literal of its files)."""
    day = (generator.default_end_date() + dt.timedelta(days=1)).isoformat()
    out.parent.mkdir(parents=True, exist_ok=True)
    options = "format csv, header true" if file_format == "csv" else "format parquet"
    sql = INCREMENT_LINES_SQL if lines else INCREMENT_SQL
    in_child([sql.format(history=history, out=str(out).replace("'", "''"), day=day, options=options)])


def remove_increment(increment: Path, layout: str) -> None:
    if layout == "daily":
        shutil.rmtree(increment.parent, ignore_errors=True)
    else:
        increment.unlink(missing_ok=True)


def floor_statement(glob: Path | str, file_format: str, lines: bool) -> str:
    """The floor as one statement: its rows (floor.sql; floor_lines.sql for order lines), then its scores."""
    rows = (HERE / ("floor_lines.sql" if lines else "floor.sql")).read_text()
    scores = (HERE / "floor_scores.sql").read_text()
    return (rows + scores).replace("{scan}", SCAN_SQL[file_format].format(glob=literal(glob)))


def bench_input(
    size: int,
    files: list[Path],
    file_format: str,
    layout: str,
    project: Path,
    workdir: Path,
    peers: list[str],
    timeout: float,
    runs: int,
    lines: bool = False,
) -> Row:
    customers = max(size // 20, 1)
    python = sys.executable
    dbt = str(Path(python).parent / "dbt")
    label = f"{size}_{file_format}_{layout}{'_lines' if lines else ''}"
    folder, pattern = prepare_input(files, workdir, size, file_format, layout, lines)
    if layout == "file":
        increment = folder / f"part-{len(files):04d}.{file_format}"
    else:
        # Named to sort after every day (the rows are the next day's).
        increment = folder / "day=9999-12-31" / f"data_0.{file_format}"
    remove_increment(increment, layout)  # left by an interrupted run
    glob = str(folder / pattern)
    count = len(list(folder.glob(pattern)))
    database = workdir / f"build_{label}.duckdb"
    env = {
        **os.environ,
        "RFM_DUCKDB_PATH": str(database),
        "RFM_PUBLISH_DIR": str(workdir / f"published_{label}"),
    }
    dbt_build = [dbt, "build", "--project-dir", str(project), "--profiles-dir", str(project)]
    dbt_build += ["--vars", json.dumps({"transactions_path": glob})]
    target = workdir / f"target_{label}"
    dbt_build += ["--target-path", str(target)]
    history_parquet = "[" + ", ".join(literal(file) for file in files) + "]"

    def run_python(code: str, *args: str) -> list[str]:
        return [python, "-c", code, *args]

    read_code = "import duckdb, sys; duckdb.connect().execute(sys.argv[1]).fetchall()"
    read_sql = (READ_LINES_SQL if lines else READ_SQL)[file_format].format(glob=literal(glob))
    floor_sql = floor_statement(glob, file_format, lines)
    floor_code = (
        "import duckdb, sys; c = duckdb.connect(sys.argv[1]); c.execute(sys.argv[2]);"
        ' c.execute("copy customer_scores to " + sys.argv[3])'
    )
    measured: dict[str, list[Measurement]] = {
        name: [] for name in ("read", "floor", "polars", "pandas", "build", "incremental")
    }
    notes: dict[str, str] = {}
    steps: list[tuple[float, float, float]] = []
    kind = f"{size:,} {file_format} {layout}{' lines' if lines else ''}"
    for run in range(1, runs + 1):
        tag = f"[{kind}, run {run}/{runs}]"
        print(f"{tag} T0 read ...", file=sys.stderr)
        measured["read"].append(
            measure(run_python(read_code, read_sql), workdir / f"read_{label}.log", None, timeout)
        )
        print(f"{tag} T2 dbt build ...", file=sys.stderr)
        database.unlink(missing_ok=True)
        remove_increment(increment, layout)
        build = measure(dbt_build, workdir / f"build_{label}.log", env, timeout)
        measured["build"].append(build)
        if build.seconds is None:
            break
        steps.append(step_seconds(target / "run_results.json"))
        floor_db = workdir / f"floor_{label}.duckdb"
        floor_scores = workdir / f"scores_floor_{label}.parquet"
        if "floor" not in notes:
            print(f"{tag} T1 floor ...", file=sys.stderr)
            floor_db.unlink(missing_ok=True)
            floor_run = run_python(floor_code, str(floor_db), floor_sql, literal(floor_scores))
            measured["floor"].append(measure(floor_run, workdir / f"floor_{label}.log", None, timeout))
        for peer in ("polars", "pandas"):
            if peer in notes:
                continue  # reported once (skipped, or its scores disagree)
            if peer not in peers:
                notes[peer] = "skipped"
            elif size > PART_ROWS:
                notes[peer] = "not run (in memory: past this machine's RAM)"
            elif installed(peer) is None:
                notes[peer] = f"{peer} not installed (pip install -e '.[bench]')"
            else:
                print(f"{tag} T1 {peer} ...", file=sys.stderr)
                scores = workdir / f"scores_{peer}_{label}.parquet"
                command = [python, "-m", f"rfm.bench.peer_{peer}", glob, file_format, str(scores)]
                measured[peer].append(measure(command, workdir / f"{peer}_{label}.log", None, timeout))
        if run == 1:
            # Checked once: a contender whose scores differ is reported, not timed.
            for name, scores in (
                ("floor", floor_scores),
                *((peer, workdir / f"scores_{peer}_{label}.parquet") for peer in ("polars", "pandas")),
            ):
                if measured[name] and measured[name][-1].seconds is not None:
                    wrong = disagreement(scores, database)
                    if wrong:
                        notes[name] = wrong
        print(f"{tag} T2 incremental dbt build after a 1% file ...", file=sys.stderr)
        write_increment(history_parquet, increment, file_format, lines)
        measured["incremental"].append(measure(dbt_build, workdir / f"incremental_{label}.log", env, timeout))
        remove_increment(increment, layout)

    def result(name: str) -> Measurement:
        if name in notes:
            return Measurement(None, None, notes[name])
        if not measured[name]:
            return Measurement(None, None, "skipped: the full build failed")
        return median(measured[name])

    naive = None
    if "naive" in peers and installed("polars") is not None:
        # Not a T1 contender: it skips every rule, so its scores are not compared (peer_polars_naive.py).
        naive_runs = []
        for run in range(1, runs + 1):
            print(f"[{kind}, run {run}/{runs}] naive polars ...", file=sys.stderr)
            command = [python, "-m", "rfm.bench.peer_polars_naive", glob, file_format]
            naive_runs.append(measure(command, workdir / f"naive_{label}.log", None, timeout))
        naive = median(naive_runs)
    spark = None
    if "spark" in peers:
        print(f"[{kind}] dbt build --target spark ...", file=sys.stderr)
        # The same project and history on dbt-spark's local session, into a fresh warehouse; the JVM is
        # pyspark's child, so its memory is sampled with the whole process tree.
        warehouse = workdir / f"spark_warehouse_{label}"
        shutil.rmtree(warehouse, ignore_errors=True)
        spark_env = {**os.environ, "RFM_SPARK_WAREHOUSE": str(warehouse)}
        spark = measure(
            [*dbt_build, "--target", "spark"],
            workdir / f"spark_{label}.log",
            spark_env,
            timeout,
            whole_tree=True,
        )
    return Row(
        size,
        customers,
        file_format,
        layout,
        count,
        result("read"),
        result("build"),
        result("floor"),
        result("polars"),
        result("pandas"),
        result("incremental"),
        spark,
        naive,
        lines,
        *(float(np.median([step[index] for step in steps])) if steps else None for index in range(3)),
    )


#: The scoring step; the models of the clustering are those named with "cluster", of churn and value "clv".
SCORING_MODEL = "int_customers_scored"


def step_seconds(run_results: Path) -> tuple[float, float, float]:
    """(the scoring model's execution time, the cluster models' summed, the churn and value models' summed)
    in one dbt build's results."""
    results = json.loads(run_results.read_text())["results"]
    models = {
        r["unique_id"].split(".")[-1]: float(r["execution_time"])
        for r in results
        if r["unique_id"].startswith("model.")
    }
    clustering = sum(seconds for name, seconds in models.items() if "cluster" in name)
    clv = sum(seconds for name, seconds in models.items() if "clv" in name)
    return models.get(SCORING_MODEL, 0.0), clustering, clv


LEGEND = """
Each cell: wall time (CPU seconds, user + system) / peak resident memory of that process; with several runs,
the run of median wall time (of an even number, the faster middle one), and the range of all runs. T0 reads
every column of every row once (DuckDB) and does nothing else. T1 computes the same scores without dbt: the
floor in one hand-written DuckDB statement that runs in parallel, polars and pandas as a user would write
them (src/rfm/bench/); each contender's scores are compared with the build's customer_rfm, customer by
customer, and one that disagrees is reported instead of timed. T2 is the full project (seeds, every model,
every data and unit test) on a fresh database; the incremental build is the next `dbt build` after a file
with 1% more transactions (new ids, existing customers, the next day) lands in the input folder. Daily files
are the same rows split by day (DuckDB's partitioned write, a folder `day=YYYY-MM-DD/` per day, which may
hold more than one file). The Spark build, when `--peers` names spark, is the same full build with `--target
spark`, its memory the sampled peak of the dbt process and the JVM together. The naive polars yardstick, when
`--peers` names naive, groups by customer and ranks R, F and M with no rule at all (no quarantine, duplicates
or tie rule): timed, never compared. Inside T2, from dbt's run_results.json (median of runs): the scoring
model (int_customers_scored) and the cluster models (every model named with "cluster": scaling, k selection,
dendrogram, k-means, centroids, profiles, the history's clusters and their migration) and the churn and value
models (every model named with "clv": the summary, the fits, the scores), without their tests.
"""

LINES_LEGEND = """
Order lines (`--lines`): each row is an order line as `rfm generate --lines` writes it (order_id,
transaction_id the line's number, quantity, unit_price, no amount; about 2.5 lines an order), and the
transaction counts above count lines. Every T1 contender groups them into orders as the build does
(src/rfm/bench/floor_lines.sql, and the line branch of each peer); the increment is 1% of the history's orders
again, as new orders.
"""


def report(rows: list[Row], load_at_start: float, load_at_end: float) -> str:
    legend = LEGEND + (LINES_LEGEND if any(row.lines for row in rows) else "")
    versions = ", ".join(
        f"{name} {installed(name)}"
        for name in ("duckdb", "dbt-core", "dbt-duckdb", "dbt-spark", "pyspark", "polars", "pandas")
        if installed(name)
    )
    return (
        f"Measured {dt.date.today().isoformat()} on {machine()}; {versions}; "
        f"Python {platform.python_version()}; load average {load_at_start:.2f} at the start,"
        f" {load_at_end:.2f} at the end.\n\n" + table(rows) + "\n\n" + " ".join(legend.split()) + "\n"
    )
