"""The demo's portal part: two client users of volga-bank, its invoice of the month issued,
a service report per client; a second load adds nothing."""

import datetime as dt

import pytest
from django.db.models import F

from billing.models import Invoice
from calls.models import Call
from demo.client_portal import demo_portal
from demo.loaders import demo_catalogue
from portal.models import ServiceReport
from projects.models import ClientUser
from tests.factories.billing import answered_call, local_dt

pytestmark = pytest.mark.django_db


def test_the_demo_has_two_client_users_an_issued_invoice_and_a_report_per_client(
    settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    clients, projects = demo_catalogue()
    answered_call(projects["volga-hotline"], local_dt("2026-10-05 10:00"), connected=600)
    Call.objects.update(received_at=F("offered_at") + dt.timedelta(minutes=1))

    first = demo_portal(period=dt.date(2026, 10, 1), password="demo-pass")
    again = demo_portal(period=dt.date(2026, 10, 1), password="demo-pass")

    assert first == {"client_users": 2, "issued": 1, "reports": len(clients)}
    assert again == {"client_users": 2, "issued": 0, "reports": len(clients)}
    users = {b.user.username: (b.client.code, b.role) for b in ClientUser.objects.all()}
    assert users == {
        "client-viewer": ("volga-bank", "viewer"),
        "client-accountant": ("volga-bank", "accountant"),
    }
    assert all(
        not b.user.is_staff and b.user.check_password("demo-pass") for b in ClientUser.objects.all()
    )
    assert Invoice.objects.get(client__code="volga-bank").status == Invoice.Status.ISSUED
    assert ServiceReport.objects.count() == len(clients)
