"""Exit 0 if the Celery broker in CELERY_BROKER_URL answers within two seconds."""

import os
import sys

from kombu import Connection

url = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
try:
    with Connection(url, connect_timeout=2) as conn:
        conn.ensure_connection(max_retries=1)
except Exception:  # noqa: BLE001  any failure means "no broker"
    sys.exit(1)
