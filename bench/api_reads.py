"""API reads over real HTTP: each endpoint beside its own floor, measured in one run.

    .venv/bin/python bench/api_reads.py                  # 1,200,000 calls: ~100,000 a month
    .venv/bin/python bench/api_reads.py --calls 3000000 --runs 60

The floor of an endpoint is what it cannot avoid: its raw SQL (the keyset page of the
calls list, the GROUP BY of the KPI buckets) plus an orjson dump of the same rows, plus the
server's bare HTTP round trip (``GET /healthz/``, which touches no database). The ratio is
the endpoint's median over the sum of the three medians, all interleaved in one run so
they meet the same load. Target (issue 21): at most 2.5x.

The data is bench/scale.py's world at a smaller size, in its own database
(``contactcenter_scale_reads``, kept between runs when its count matches); the KPI month is
rolled up once. The server is the production one: uvicorn serving ``contactcenter.asgi`` on
loopback, one worker, started here and stopped at the end; the client keeps one HTTP/1.1
connection alive, as an integration does.
"""

import argparse
import datetime as dt
import http.client
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/contactcenter_scale_reads"
)

import orjson  # noqa: E402

from bench import scale  # noqa: E402  (sets up Django)
from billing import rating  # noqa: E402
from calls import rollups  # noqa: E402

PORT = 8765
CALLS = 1_200_000


def start_server():
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "contactcenter.settings.dev",
    }
    server = subprocess.Popen(  # noqa: S603  (our own interpreter and arguments)
        [
            sys.executable, "-m", "uvicorn", "contactcenter.asgi:application",
            "--host", "127.0.0.1", "--port", str(PORT), "--no-access-log", "--log-level", "warning",
        ],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    for _ in range(600):  # up to a minute on a loaded machine
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            connection.request("GET", "/healthz/")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the server did not start")


class Http:
    """One kept-alive connection, as an integration holds it."""

    def __init__(self, token):
        self.connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        self.headers = {"Authorization": f"Token {token}", "Accept": "application/json"}

    def get(self, path, query=None):
        url = f"{path}?{urlencode(query)}" if query else path
        self.connection.request("GET", url, headers=self.headers)
        response = self.connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: {response.status} {body[:300]!r}")
        return body


def sql_and_dump(sql, params):
    def run():
        orjson.dumps(scale.fetch(sql, params), option=orjson.OPT_NON_STR_KEYS)

    return run


def measure(calls=CALLS, runs=40):
    projects, _operators, _ = scale.ensure_data(calls)
    project = projects[0]
    start, end = rating.month_window(scale.MONTH, project.timezone)
    rollups.rollup_kpis(now=scale.NOW, start=start - dt.timedelta(days=1), end=end)
    user = scale.get_user_model().objects.get_or_create(
        username="scale-root", defaults={"is_staff": True, "is_superuser": True}
    )[0]
    token = scale.reissue_token(user, name="bench-reads")
    server = start_server()
    try:
        http = Http(token)
        list_query = {"project": project.code}
        kpi_path = f"/api/v1/projects/{project.code}/kpis/"
        kpi_query = {"from": start.isoformat(), "to": end.isoformat(), "granularity": "hour"}
        keyset = scale.KEYSET_PAGE.format(table="calls_call", where="c.project_id = %(project)s")
        kpi_params = {"tz": project.timezone, "project": project.pk, "start": start, "end": end}
        pairs = [
            ("healthz", lambda: http.get("/healthz/")),
            ("list", lambda: http.get("/api/v1/calls/", list_query)),
            ("list_floor", sql_and_dump(keyset, {"project": project.pk})),
            ("kpis", lambda: http.get(kpi_path, kpi_query)),
            ("kpis_floor", sql_and_dump(scale.KPI_SQL, kpi_params)),
        ]
        for _name, function in pairs:  # warm-up: plans, caches, the connection
            function()
        times = scale.interleaved(pairs, runs)
    finally:
        server.terminate()
        server.wait(timeout=10)
    med = {name: statistics.median(values) * 1000 for name, values in times.items()}
    month_calls = scale.fetch(
        "SELECT count(*) FROM calls_call WHERE project_id = %s AND offered_at >= %s"
        " AND offered_at < %s",
        [project.pk, start, end],
    )[0][0]
    note = f"median of {runs}, interleaved; {month_calls:,} calls in the project's month"
    rows = []
    for name, label, floor_label in (
        ("list", "GET /api/v1/calls/, one project, first page (100 calls)", "keyset SQL"),
        ("kpis", "GET projects/{code}/kpis/, month by hour (744 buckets)", "GROUP BY SQL"),
    ):
        floor = med[f"{name}_floor"] + med["healthz"]
        rows.append(
            scale.row(
                "api_reads", label, med[name], "ms",
                f"{floor_label} + orjson dump ({med[name + '_floor']:.2f} ms)"
                f" + GET /healthz/ ({med['healthz']:.2f} ms)",
                floor, note=note,
            )
        )  # fmt: skip
    scale.print_rows(rows)
    return rows


def run(quick: bool = False) -> list[dict]:
    """bench/run_all.py's entry point."""
    return measure(CALLS, runs=20 if quick else 40)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=CALLS)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args(argv)
    measure(args.calls, runs=args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
