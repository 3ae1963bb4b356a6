"""Domain events the rooms publish and others subscribe to (docs/webhooks.md).

An emitter (billing, alerts, calls) calls ``publish`` inside its transaction; the event is
sent once that transaction commits (never for a rolled-back change), as the
``event_published`` signal. The webhooks app subscribes in its ``AppConfig.ready``, so an
emitter imports nothing above it: contactcenter is below every app.
"""

from typing import Any

from django.db import transaction
from django.dispatch import Signal

INVOICE_ISSUED = "invoice.issued"
INVOICE_PAID = "invoice.paid"
PAYMENT_RECEIVED = "payment.received"
ALERT_OPENED = "alert.opened"
ALERT_CLEARED = "alert.cleared"
IMPORT_FINISHED = "import.finished"
REPORT_READY = "report.ready"

EVENT_TYPES = (
    INVOICE_ISSUED,
    INVOICE_PAID,
    PAYMENT_RECEIVED,
    ALERT_OPENED,
    ALERT_CLEARED,
    IMPORT_FINISHED,
    REPORT_READY,
)

# Sent with event_type (one of EVENT_TYPES), client_id (int or None: the center's own) and
# data (a JSON-ready dict).
event_published = Signal()


def publish(event_type: str, *, client_id: int | None, data: dict[str, Any]) -> None:
    """Send ``event_type`` once the current transaction commits (at once outside one)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"Unknown event {event_type!r}; one of {EVENT_TYPES}.")

    def send() -> None:
        event_published.send_robust(
            sender=publish, event_type=event_type, client_id=client_id, data=data
        )

    # robust: a subscriber failing never fails the emitter, whose change is committed.
    transaction.on_commit(send, robust=True)
