"""Every benchmark in one command, and one table: each figure beside its baseline.

    .venv/bin/python -m bench.run_all              # everything, full size
    .venv/bin/python -m bench.run_all --quick      # a short run of each
    .venv/bin/python -m bench.run_all --only scale --only rollup_kpis
    .venv/bin/python -m bench.run_all --skip scale

Every ``bench/*.py`` module (not starting with ``_``) that defines a top-level ``run``
is a benchmark: ``run(quick: bool = False) -> list[dict]``, each dict ``{"benchmark",
"measure", "value", "unit", "baseline", "baseline_value", "ratio", "note"}``, the baseline
measured in the same run (or, where a module has none, its target, which the note says).
A module is found by reading its source (``ast``), not by importing it, and each one runs
in a child process of its own: every module configures Django for its own database when it
is imported (``DATABASE_URL``, then ``django.setup()``), and one process holds one
configuration. ``DATABASE_URL`` is removed from the children's environment so that each
uses its own default database (never the development one).

Writes ``bench/RESULTS.md`` (a header naming the date, the machine, PostgreSQL, Python and
the git commit, then one Markdown table) and prints it. A module that fails is listed
under the table with its exit status; the others still run.
"""

import argparse
import ast
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "RESULTS.md"
FIELDS = ("benchmark", "measure", "value", "unit", "baseline", "baseline_value", "ratio", "note")
# The order of the table; modules not named here follow in alphabetical order.
ORDER = [
    "ingest_calls",
    "invoice_generation",
    "invoice_exports",
    "rollup_kpis",
    "staffing_plan",
    "scheduling",
    "simulate",
    "load_api",
    "api_reads",
    "live_ws",
    "scale",
]
RUN_FIRST = ("scale",)

CHILD = """
import json, sys
sys.path.insert(0, {root!r})
import importlib
module = importlib.import_module("bench." + {name!r})
rows = module.run(quick={quick!r})
with open({out!r}, "w") as out:
    json.dump(rows, out)
"""


def benchmarks():
    """Names of the modules of bench/ that define ``run`` at the top level."""
    found = []
    for path in sorted(BENCH.glob("*.py")):
        if path.name.startswith("_") or path.stem == "run_all":
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in tree.body:
            defines_run = isinstance(node, ast.FunctionDef) and node.name == "run"
            assigns_run = isinstance(node, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == "run" for target in node.targets
            )
            if defines_run or assigns_run:
                found.append(path.stem)
                break
    rank = {name: n for n, name in enumerate(ORDER)}
    return sorted(found, key=lambda name: (rank.get(name, len(ORDER)), name))


def run_one(name, *, quick):
    """(rows, seconds, error): the module's run() in a child process."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "rows.json"
        code = CHILD.format(root=str(ROOT), name=name, quick=quick, out=str(out))
        started = time.perf_counter()
        process = subprocess.run(  # noqa: S603  (our interpreter, our own modules)
            [sys.executable, "-c", code], cwd=ROOT, env=env, check=False
        )
        seconds = time.perf_counter() - started
        if process.returncode != 0 or not out.exists():
            return [], seconds, f"exit status {process.returncode}"
        rows = json.loads(out.read_text())
    for row in rows:
        missing = [field for field in FIELDS if field not in row]
        if missing:
            return rows, seconds, f"rows without {missing}"
    return rows, seconds, None


def machine():
    """A line each: date, CPU, RAM, PostgreSQL, Python, commit."""
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 2**20:.1f} GB"
                break
    except OSError:
        pass
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{cpu}, {os.cpu_count()} cores, {ram} RAM",
        "PostgreSQL": postgres_version(),
        "Python": platform.python_version(),
        "git commit": git_commit(),
    }


def postgres_version():
    try:
        import psycopg

        with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres") as conn:
            return conn.execute("SHOW server_version").fetchone()[0]
    except Exception as error:  # the table is still worth writing
        return f"unknown ({error.__class__.__name__})"


def git_commit():
    executable = shutil.which("git")

    def git(*args):
        if executable is None:
            return ""
        return subprocess.run(  # noqa: S603  (read-only git queries)
            [executable, *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return f"{commit}{' (with uncommitted changes)' if dirty else ''}"


def number(value):
    if value is None:
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(header, rows, failures, *, quick, seconds):
    lines = ["# Benchmark results", ""]
    lines += [f"- **{key}**: {value}" for key, value in header.items()]
    lines.append(
        f"- **run**: `.venv/bin/python -m bench.run_all{' --quick' if quick else ''}`, "
        f"{seconds / 60:.0f} min; each baseline measured in the same run (interleaved with "
        'the figure where the module does so) unless its note says "target"'
    )
    lines.append(
        "- **ratio**: the figure's time over the baseline's (for rates, the baseline's rate "
        "over the figure's), so above 1 means slower than the baseline"
    )
    lines += ["", "| benchmark | measure | value | baseline | baseline value | ratio | note |"]
    lines.append("|---|---|---:|---|---:|---:|---|")
    for row in rows:
        unit = cell(row["unit"])
        baseline = f"{number(row['baseline_value'])} {unit}" if row["baseline_value"] else "-"
        ratio = f"{row['ratio']:.2f}x" if row["ratio"] else "-"
        lines.append(
            f"| {cell(row['benchmark'])} | {cell(row['measure'])} | "
            f"{number(row['value'])} {unit} | {cell(row['baseline'])} | {baseline} | "
            f"{ratio} | {cell(row['note'])} |"
        )
    if failures:
        lines += ["", "Failed:", ""]
        lines += [f"- `{name}`: {error}" for name, error in failures]
    return "\n".join(lines) + "\n"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run of each benchmark")
    parser.add_argument("--only", action="append", metavar="NAME", help="run only NAME (repeat)")
    parser.add_argument("--skip", action="append", metavar="NAME", help="leave NAME out")
    parser.add_argument("--output", type=Path, default=RESULTS, help="default bench/RESULTS.md")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    names = benchmarks()
    unknown = [name for name in (args.only or []) + (args.skip or []) if name not in names]
    if unknown:
        sys.exit(f"unknown benchmark(s) {unknown}; found: {', '.join(names)}")
    if args.only:
        names = [name for name in names if name in args.only]
    names = [name for name in names if name not in (args.skip or [])]
    print(f"benchmarks: {', '.join(names)}{' (quick)' if args.quick else ''}", flush=True)
    started = time.perf_counter()
    found_rows, failures = {}, []
    # The longest and least tried first, so a failure shows early; the table keeps ORDER.
    for name in sorted(names, key=lambda name: name not in RUN_FIRST):
        print(f"\n=== {name} ===", flush=True)
        found, seconds, error = run_one(name, quick=args.quick)
        found_rows[name] = found
        if error:
            failures.append((name, error))
        print(f"=== {name}: {len(found)} rows in {seconds:.0f} s{f', {error}' if error else ''}")
    rows = [row for name in names for row in found_rows.get(name, [])]
    text = table(machine(), rows, failures, quick=args.quick, seconds=time.perf_counter() - started)
    args.output.write_text(text)
    print()
    print(text)
    print(f"written to {args.output}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
