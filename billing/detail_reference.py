"""The call-by-call detail rated in Python, call by call: the reference the SQL detail is
held to (tests/billing/test_detail_agreement.py).

Each call is rated with ``billing.rating`` alone (the tariff in force on the local day, the
band by the local wall-clock time of the answer, the billed seconds), then each line's amount
is split over its calls with ``rating.largest_remainder`` in the calls' order (offered_at,
then id), as ``billing.selectors`` does in PostgreSQL. Slow (a Python object per call): for
tests and audits, never for a download.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from billing import rating
from billing.models import Invoice
from billing.selectors import KOPECKS_DENOMINATOR, RATE_UNITS, invoice_slices, usage_lines
from calls.models import Call


def invoice_call_details_python(invoice: Invoice) -> Iterator[dict[str, Any]]:
    """The rows ``billing.selectors.invoice_call_details`` yields, computed in Python."""
    lines = usage_lines(invoice)
    if not lines:
        return
    slices = invoice_slices(invoice, lines)
    per_line: defaultdict[Any, list[tuple[Any, ...]]] = defaultdict(list)
    for slice_ in slices:
        if slice_.tariff is None:
            continue
        tz = slice_.project.timezone
        calls = Call.objects.filter(
            project_id=slice_.project.id,
            offered_at__gte=slice_.offered_from,
            offered_at__lt=slice_.offered_to,
            received_at__lt=slice_.received_before,
            answered_at__isnull=False,
        ).order_by("offered_at", "id")
        if slice_.received_from is not None:
            calls = calls.filter(received_at__gte=slice_.received_from)
        tariff = slice_.tariff
        bands = list(tariff.bands.all())
        for call in calls:
            index = rating.band_index(bands, rating.local(call.answered_at, tz))
            band = None if index is None else bands[index]
            rate = band.rate_per_minute if band else tariff.rate_per_minute
            billable = rating.billable_seconds(
                basis=tariff.billable,
                connected=call.connected_seconds,
                hold=call.hold_seconds,
                wrap=call.wrap_seconds,
                wrap_cap=tariff.wrap_cap_seconds,
            )
            billed = rating.billed_seconds(
                billable,
                first=tariff.first_increment_seconds,
                next_=tariff.next_increment_seconds,
                free=tariff.free_seconds,
            )
            key = (slice_.project.id, slice_.service_period, band.name if band else "", rate)
            local_date = rating.local(call.offered_at, tz).date()
            per_line[key].append((call.offered_at, call.id, call, local_date, billable, billed))
    for key, line in lines.items():
        calls_of_line = sorted(per_line.get(key, []), key=lambda row: (row[0], row[1]))
        rate_units = int(line.rate_per_minute * RATE_UNITS)
        kopecks = rating.largest_remainder(
            [billed * rate_units for *_, billed in calls_of_line],
            KOPECKS_DENOMINATOR,
            int(line.amount * 100),
        )
        code = next(s.project.code for s in slices if s.project.id == line.project_id)
        for (_at, _id, call, local_date, billable, billed), amount in zip(
            calls_of_line, kopecks, strict=True
        ):
            yield {
                "project": code,
                "external_id": call.external_id,
                "offered_at": call.offered_at,
                "answered_at": call.answered_at,
                "local_date": local_date,
                "billable_seconds": billable,
                "billed_seconds": billed,
                "band": line.band,
                "rate_per_minute": line.rate_per_minute,
                "amount": Decimal(amount).scaleb(-2),
                "inside_client_hours": call.inside_client_hours,
                "service_period": line.service_period,
                "line": line.position,
            }
