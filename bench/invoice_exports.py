"""Invoice export benchmark: PDF, XLSX and CSV time per invoice, and the call-by-call detail
of an invoice with 1,000,000 calls streamed, with its time and memory.

    .venv/bin/python bench/invoice_exports.py                  # 1,000,000 calls
    .venv/bin/python bench/invoice_exports.py --calls 100000 --repeat 50

Uses its own database (``DATABASE_URL``, default ``contactcenter_bench_exports``; created and
migrated if missing; refuses a name without "bench") and the data generator of
``bench/invoice_generation.py`` (one client, two projects in Moscow and Vladivostok, bands,
30/6 and 60/60 increments, the calls inserted by one ``INSERT ... SELECT``). The invoice is
generated once by the billing core, then:

1. ``invoice_pdf``, ``invoice_xlsx`` and ``invoice_csv`` of it, ``--repeat`` times each
   (the first PDF, which loads the embedded fonts, is reported apart);
2. the detail as the API serves it: ``export_response(invoice, "detail")`` and its
   ``streaming_content`` read to the end, in a child process, so that its peak memory is its
   own: the resident set size is sampled every 100 chunks and the peak growth over the
   start is reported.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/contactcenter_bench_exports"
)

from bench import invoice_generation as data  # noqa: E402  (sets up Django)
from billing.exports.formats import export_response  # noqa: E402
from billing.exports.lines_csv import invoice_csv  # noqa: E402
from billing.exports.pdf import invoice_pdf  # noqa: E402
from billing.exports.xlsx import invoice_xlsx  # noqa: E402
from billing.invoicing import invoice_generate  # noqa: E402
from billing.models import Invoice  # noqa: E402

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_SIZE / 2**20


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--detail-of", type=int, help=argparse.SUPPRESS)  # the child process
    return parser.parse_args(argv)


def timed(function, invoice, repeat):
    times, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        size = len(function(invoice))
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times), size


def stream_detail(invoice_id):
    """In the child: stream the detail as the API would, sampling memory."""
    invoice = Invoice.objects.get(pk=invoice_id)
    start_rss = peak_rss = rss_mb()
    maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = export_response(invoice, "detail")
    size = chunks = 0
    last = b""
    for chunk in response.streaming_content:
        size += len(chunk)
        chunks += 1
        last = chunk
        if chunks % 100 == 0:
            peak_rss = max(peak_rss, rss_mb())
    elapsed = time.perf_counter() - started
    peak_rss = max(peak_rss, rss_mb())
    maxrss_growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - maxrss_before) / 1024
    rows = last.decode().strip().splitlines()
    calls_total = next(row for row in rows if row.startswith("calls total,")).split(",")[1]
    total_row = rows[-1]
    print(
        f"detail: {int(calls_total):,} calls, {size / 2**20:.0f} MB of CSV in {elapsed:.1f} s "
        f"({int(calls_total) / elapsed:,.0f} calls/s, {chunks:,} chunks); resident memory "
        f"{start_rss:.0f} MB at the start, peak {peak_rss:.0f} MB (+{peak_rss - start_rss:.0f} "
        f"MB; ru_maxrss +{maxrss_growth:.0f} MB); last row: {total_row}; invoice total "
        f"{invoice.total}"
    )
    # For the parent (run()): the figures on one line of their own.
    print(f"{DETAIL_MARK}{json.dumps({'calls': int(calls_total), 'seconds': elapsed})}")


DETAIL_MARK = "detail figures: "


def main(argv=None):
    args = parse_args(argv)
    if args.detail_of:
        stream_detail(args.detail_of)
        return None
    data.prepare_database()
    projects = data.create_fixtures()
    if data.billable_calls(projects) != args.calls:
        started = time.perf_counter()
        data.insert_calls(projects, args.calls)
        print(f"inserted {args.calls:,} calls in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    [invoice] = invoice_generate(period=data.PERIOD, client_code=data.CLIENT)
    generated = time.perf_counter() - started
    print(
        f"invoice of {sum(line.calls for line in invoice.lines.all()):,} calls, "
        f"{invoice.lines.count()} lines, total {invoice.total} {invoice.currency}, generated "
        f"in {time.perf_counter() - started:.1f} s"
    )

    started = time.perf_counter()
    invoice_pdf(invoice)
    print(f"first PDF (loads the fonts): {(time.perf_counter() - started) * 1000:.0f} ms")
    formats = {}
    for name, function in (("PDF", invoice_pdf), ("XLSX", invoice_xlsx), ("CSV", invoice_csv)):
        best, median, size = timed(function, invoice, args.repeat)
        formats[name] = median
        print(
            f"{name}: best {best * 1000:.1f} ms, median {median * 1000:.1f} ms per invoice "
            f"({size / 1024:.0f} KiB, {args.repeat} runs)"
        )
    child = subprocess.run(  # noqa: S603  (our own script, our own arguments)
        [sys.executable, __file__, "--detail-of", str(invoice.pk)],
        check=True,
        env=os.environ,
        stdout=subprocess.PIPE,
        text=True,
    )
    detail = None
    for line in child.stdout.splitlines():
        if line.startswith(DETAIL_MARK):
            detail = json.loads(line.removeprefix(DETAIL_MARK))
        else:
            print(line)
    return {"generated": generated, "formats": formats, "repeat": args.repeat, "detail": detail}


def run(quick: bool = False) -> list[dict]:
    """bench/run_all.py's rows: each format's median time beside the CSV export of the same
    invoice (the plainest one), and the streamed detail beside generating the invoice."""
    found = main(["--calls", "200000", "--repeat", "5"] if quick else [])
    csv_ms = found["formats"]["CSV"] * 1000
    rows = [
        {
            "benchmark": "invoice_exports",
            "measure": f"{name} of the invoice",
            "value": round(seconds * 1000, 3),
            "unit": "ms",
            "baseline": "CSV of the same invoice",
            "baseline_value": round(csv_ms, 3),
            "ratio": round(seconds * 1000 / csv_ms, 2),
            "note": f"median of {found['repeat']}",
        }
        for name, seconds in found["formats"].items()
        if name != "CSV"
    ]
    if found["detail"]:
        calls, seconds = found["detail"]["calls"], found["detail"]["seconds"]
        rows.append(
            {
                "benchmark": "invoice_exports",
                "measure": f"call detail as the API streams it, {calls:,} calls",
                "value": round(seconds, 3),
                "unit": "s",
                "baseline": "invoice_generate() of the same calls",
                "baseline_value": round(found["generated"], 3),
                "ratio": round(seconds / found["generated"], 2),
                "note": f"{calls / seconds:,.0f} calls/s, in a child process",
            }
        )
    return rows


if __name__ == "__main__":
    main()  # its figures are printed; the returned dict is for run()
