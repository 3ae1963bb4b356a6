"""Health endpoints for load balancers and orchestrators: liveness and readiness."""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

from contactcenter.celery import app


@never_cache
@require_GET
def live(request):
    """The process answers: nothing else is checked."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def ready(request):
    """The database and the broker answer; 503 naming what does not."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable", "checks": checks}
    return JsonResponse(body, status=200 if healthy else 503)


def _database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001  any failure means "not ready"
        return False


def _broker_ok():
    if app.conf.task_always_eager:
        return True  # tasks run in-process: no broker to need
    try:
        with Connection(app.conf.broker_url, connect_timeout=2) as broker:
            broker.ensure_connection(max_retries=1)
    except Exception:  # noqa: BLE001  any failure means "not ready"
        return False
    return True
