"""Run the benchmark: per size, generate a Parquet file once, then time each contender in its own process and
read its peak memory from the kernel (wait4's ru_maxrss), so no contender measures itself."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

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
        return f"{self.seconds:,.1f} s{cpu} / {self.peak_mb:,.0f} MB"


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


@dataclass
class Row:
    transactions: int
    customers: int
    build: Measurement
    floor: Measurement
    polars: Measurement
    pandas: Measurement
    incremental: Measurement | None = None
    spark: Measurement | None = None


def ratio(a: Measurement, b: Measurement) -> str:
    if a.seconds is None or b.seconds is None or not b.seconds:
        return "n/a"
    return f"{a.seconds / b.seconds:.2f}x"


def table(rows: list[Row]) -> str:
    lines = [
        "| transactions | customers | dbt build (all models + tests) | floor (one DuckDB script) | polars"
        " | pandas | build / floor | build / polars | incremental dbt build (+1% new file)"
        " | incremental / build | dbt build on Spark (local session) | Spark / DuckDB build |",
        "|---:|---:|---|---|---|---|---:|---:|---|---:|---|---:|",
    ]
    for r in rows:
        incremental = r.incremental or Measurement(None, None, "not run")
        spark = r.spark or Measurement(None, None, "skipped")
        cells = [f"{r.transactions:,}", f"{r.customers:,}", r.build.cell(), r.floor.cell(), r.polars.cell()]
        cells += [r.pandas.cell(), ratio(r.build, r.floor), ratio(r.build, r.polars)]
        cells += [incremental.cell(), ratio(incremental, r.build), spark.cell(), ratio(spark, r.build)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


#: The daily increment: 1% of the history's rows again, as new transactions (new ids) on the day after it.
INCREMENT_SQL = """
copy (
    select
        transaction_id + (select max(transaction_id) from read_parquet('{history}')) as transaction_id,
        customer_id,
        cast(date '{day}' as timestamp)
            + (transaction_at - date_trunc('day', transaction_at)) as transaction_at,
        amount
    from read_parquet('{history}')
    where transaction_id % 100 = 0
) to '{out}' (format parquet)
"""


#: Sizes above this are made of parts of this many rows (a partitioned log), so that a billion rows does not
#: need a billion rows' generation: part k is the base file with new transaction ids and customer ids.
PART_ROWS = 100_000_000

PART_SQL = """
copy (
    select
        transaction_id + {part} * 10_000_000_000 as transaction_id,
        customer_id || '-{part}' as customer_id,
        transaction_at,
        amount
    from read_parquet('{base}')
) to '{out}' (format parquet)
"""


def input_files(size: int, workdir: Path, seed: int) -> list[Path]:
    """The generated input of one size: one file, or for big sizes PART_ROWS-row parts of a base file."""
    base_size = min(size, PART_ROWS)
    base = workdir / f"transactions_{base_size}.parquet"
    if not base.exists():
        print(f"generating {base_size:,} transactions ...", file=sys.stderr)
        generator.generate(
            base, base_size, max(base_size // 20, 1), seed=seed, progress=generator.print_progress
        )
    if size <= PART_ROWS:
        return [base]
    import duckdb

    parts = [base]
    for part in range(1, -(-size // PART_ROWS)):
        out = workdir / f"transactions_{size}_part{part:03d}.parquet"
        if not out.exists():
            print(f"writing part {part} of {size:,} transactions ...", file=sys.stderr)
            temporary = out.with_name(f".{out.name}.partial")
            with duckdb.connect() as connection:
                connection.execute(PART_SQL.format(part=part, base=base, out=temporary))
            temporary.rename(out)
        parts.append(out)
    return parts


def daily_folder(files: list[Path], workdir: Path, size: int) -> Path:
    """A folder holding the history's files (hard links, no copies); the increment is added later."""
    folder = workdir / f"input_{size}"
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("part-*.parquet"):
        stale.unlink()
    for number, file in enumerate(files):
        target = folder / f"part-{number:04d}.parquet"
        try:
            os.link(file, target)
        except OSError:
            shutil.copy2(file, target)
    return folder


def write_increment(history: Path, out: Path) -> None:
    import duckdb

    day = (generator.default_end_date() + dt.timedelta(days=1)).isoformat()
    sql = INCREMENT_SQL.format(
        history=str(history).replace("'", "''"), out=str(out).replace("'", "''"), day=day
    )
    with duckdb.connect() as connection:
        connection.execute(sql)


def bench_size(size: int, project: Path, workdir: Path, peers: list[str], timeout: float, seed: int) -> Row:
    customers = max(size // 20, 1)
    files = input_files(size, workdir, seed)
    python = sys.executable
    dbt = str(Path(python).parent / "dbt")
    database = workdir / f"build_{size}.duckdb"
    database.unlink(missing_ok=True)
    # The build publishes the marts (rfm_publication) as every build does; here into the work folder.
    env = {
        **os.environ,
        "RFM_DUCKDB_PATH": str(database),
        "RFM_PUBLISH_DIR": str(workdir / f"published_{size}"),
    }
    # The build reads a folder, as a daily pipeline does: the history first, then one more file.
    folder = daily_folder(files, workdir, size)
    history = folder / "part-*.parquet"
    variables = json.dumps({"transactions_path": str(history)})
    dbt_build = [
        dbt,
        "build",
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--vars",
        variables,
    ]

    print(f"[{size:,}] dbt build ...", file=sys.stderr)
    build = measure(dbt_build, workdir / f"build_{size}.log", env, timeout)
    incremental = Measurement(None, None, "skipped: the full build failed")
    if build.seconds is not None:
        print(f"[{size:,}] incremental dbt build after a 1% file ...", file=sys.stderr)
        increment = folder / f"part-{len(files):04d}.parquet"
        write_increment(history, increment)
        incremental = measure(dbt_build, workdir / f"incremental_{size}.log", env, timeout)
    print(f"[{size:,}] floor ...", file=sys.stderr)
    floor_db = workdir / f"floor_{size}.duckdb"
    floor_db.unlink(missing_ok=True)
    if build.seconds is not None:
        increment.unlink()  # the floor and the peers read the history only
    script = (HERE / "floor.sql").read_text().replace("{path}", str(history).replace("'", "''"))
    floor = measure(
        [
            python,
            "-c",
            "import duckdb, sys; duckdb.connect(sys.argv[1]).execute(sys.argv[2])",
            str(floor_db),
            script,
        ],
        workdir / f"floor_{size}.log",
        None,
        timeout,
    )
    results = {}
    for peer in ("polars", "pandas"):
        if peer not in peers:
            results[peer] = Measurement(None, None, "skipped")
        elif size > PART_ROWS:
            results[peer] = Measurement(None, None, "not run (in memory: past this machine's RAM)")
        elif installed(peer) is None:
            results[peer] = Measurement(None, None, f"{peer} not installed (pip install -e '.[bench]')")
        else:
            print(f"[{size:,}] {peer} ...", file=sys.stderr)
            results[peer] = measure(
                [python, "-m", f"rfm.bench.peer_{peer}", str(files[0])],  # one file: up to PART_ROWS
                workdir / f"{peer}_{size}.log",
                None,
                timeout,
            )
    spark = Measurement(None, None, "skipped")
    if "spark" in peers:
        print(f"[{size:,}] dbt build --target spark ...", file=sys.stderr)
        # The same project and history on dbt-spark's local session, into a fresh warehouse; the JVM is
        # pyspark's child, so its memory is sampled with the whole process tree.
        warehouse = workdir / f"spark_warehouse_{size}"
        shutil.rmtree(warehouse, ignore_errors=True)
        spark_env = {**os.environ, "RFM_SPARK_WAREHOUSE": str(warehouse)}
        spark_build = [*dbt_build, "--target", "spark"]
        spark = measure(spark_build, workdir / f"spark_{size}.log", spark_env, timeout, whole_tree=True)
    return Row(size, customers, build, floor, results["polars"], results["pandas"], incremental, spark)


def report(rows: list[Row], load_at_start: float) -> str:
    versions = ", ".join(
        f"{name} {installed(name)}"
        for name in ("duckdb", "dbt-core", "dbt-duckdb", "dbt-spark", "pyspark", "polars", "pandas")
        if installed(name)
    )
    return (
        f"Measured {dt.date.today().isoformat()} on {machine()}; {versions}; "
        f"Python {platform.python_version()}; load average at the start {load_at_start:.2f}.\n\n"
        + table(rows)
        + "\n\nEach cell: wall time (CPU seconds, user + system) / peak resident memory of that process."
        " The dbt build is the full project"
        " (seeds, every model, every data and unit test) on a fresh database; the floor computes the same"
        " quarantine rules, aggregates and tie-fair scores in one DuckDB statement; polars and pandas compute"
        " the same scores as a user would write them (src/rfm/bench/). The incremental build is the next"
        " `dbt build` after a file with 1% more transactions (new ids, existing customers, the next day)"
        " lands in the input folder: it reads only that file, updates the customers it touches and rescores"
        " everyone, with every test. The Spark build is the same full build with `--target spark`"
        " (dbt-spark's session method: a local pyspark in the dbt process, Parquet tables), when `--peers`"
        " names spark; its memory is the sampled peak of the dbt process and the JVM together.\n"
    )
