"""gunicorn settings of the HTTP API's two pools (docs/deployment.md).

    API_POOL=api    gunicorn -c deploy/gunicorn.conf.py --bind 0.0.0.0:8000
    API_POOL=ingest gunicorn -c deploy/gunicorn.conf.py --bind 0.0.0.0:8001

The reverse proxy (deploy/nginx.conf) sends the batch ingestion POSTs (``calls/``,
``agent-events/``, ``calls/import/``) to the ``ingest`` pool and everything else (the
reports, the admin, the single writes of people) to the ``api`` pool. A batch of 500 calls
is about 10 ms of Python (JSON, checks, the COPY rows) holding its process's GIL; in one
pool with the reads, a KPI read waits behind the batches of its own process and then for
its turn at the CPU. Apart, the ingest workers run at a lower CPU priority
(``API_INGEST_NICE``; in containers a lower CPU weight does the same): the batches take the
CPU the reads leave, and a read finds it within a time slice, however hard the
integrations push. ``bench/load_api.py`` starts exactly these pools from this file.

Every figure can be set from the environment (``GUNICORN_WORKERS``, ``GUNICORN_THREADS``,
``API_INGEST_NICE``); the defaults are measured on 2 cores (bench/README.md, "Load").
``API_POOL=all`` serves everything from one pool (a small installation without the proxy
rule; the reads then wait behind the batches).
"""

import os

pool = os.environ.get("API_POOL", "api")
if pool not in ("api", "ingest", "all"):
    raise ValueError(f"API_POOL is api, ingest or all, not {pool!r}")

wsgi_app = "contactcenter.wsgi:application"
worker_class = "gthread"
_DEFAULTS = {"api": (2, 4), "ingest": (3, 4), "all": (3, 4)}
workers = int(os.environ.get("GUNICORN_WORKERS", _DEFAULTS[pool][0]))
threads = int(os.environ.get("GUNICORN_THREADS", _DEFAULTS[pool][1]))
ingest_nice = int(os.environ.get("API_INGEST_NICE", "2"))
bind = [os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")]
timeout = 120
backlog = 512
# Idle keep-alive connections stay open longer than a client waits between requests
# (gunicorn's default is 2 s): the proxy reuses its upstream connections, and a request
# sent just as the server closes an idle one would get no answer.
keepalive = 30
proc_name = f"contactcenter-api-{pool}"


def post_fork(server, worker):
    """An ingest worker yields the CPU to the reads (a nice value; 0 turns it off)."""
    if pool == "ingest" and ingest_nice:
        os.nice(ingest_nice)


def when_ready(server):
    nice = ingest_nice if pool == "ingest" else 0
    server.log.info(f"API pool {pool}: {workers} workers x {threads} threads, nice {nice}")
