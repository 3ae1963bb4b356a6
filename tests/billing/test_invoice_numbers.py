"""Two processes issuing at once get consecutive numbers: real threads, real connections,
committed data (the row lock on InvoiceNumberSequence is what makes them queue)."""

import threading

import pytest
from django.db import connection, connections

from billing.invoices import invoice_issue
from billing.models import Invoice, InvoiceNumberSequence
from tests.factories import InvoiceFactory
from tests.factories.billing import clock

ISSUERS = 6


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("sequence_exists", [False, True], ids=["year row created", "existing"])
def test_concurrent_issuers_get_consecutive_numbers(sequence_exists):
    if sequence_exists:
        InvoiceNumberSequence.objects.create(year=2026, last_number=10)
    first = 11 if sequence_exists else 1
    drafts = [InvoiceFactory() for _ in range(ISSUERS)]
    start = threading.Barrier(ISSUERS)
    numbers, errors = [], []

    def issue(invoice):
        try:
            start.wait(timeout=10)
            numbers.append(invoice_issue(invoice=invoice).number)
        except Exception as error:  # noqa: BLE001  reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()  # this thread's own connection

    with clock("2026-11-05T12:00"):
        threads = [threading.Thread(target=issue, args=(draft,)) for draft in drafts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert errors == []
    expected = [f"INV-2026-{n:06d}" for n in range(first, first + ISSUERS)]
    assert sorted(numbers) == expected
    assert sorted(Invoice.objects.values_list("number", flat=True)) == expected
    assert InvoiceNumberSequence.objects.get(year=2026).last_number == first + ISSUERS - 1
    assert connection.vendor == "postgresql"
