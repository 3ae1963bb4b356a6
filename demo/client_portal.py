"""The portal part of the demo: two client users of the biggest client (a viewer and an
accountant), that client's invoice of the demo month issued, so the accountant has
documents to download, and a service report per client for the month."""

import datetime as dt

from django.contrib.auth import get_user_model

from billing.invoices import invoice_issue
from billing.invoicing import invoice_generate
from billing.models import Invoice
from portal.services import service_reports_build
from projects.models import Client, ClientUser

PORTAL_CLIENT = "volga-bank"  # two projects, the most calls
PORTAL_USERS = {"client-viewer": ClientUser.Role.VIEWER, "client-accountant": "accountant"}


def demo_portal(*, period: dt.date, password: str) -> dict[str, int]:
    """Idempotent: users found and their passwords set again; an issued invoice left as it
    is; stored reports found, not built again."""
    client = Client.objects.get(code=PORTAL_CLIENT)
    User = get_user_model()
    for username, role in PORTAL_USERS.items():
        user, _ = User.objects.get_or_create(username=username)
        user.is_staff = user.is_superuser = False
        user.set_password(password)
        user.save()
        ClientUser.objects.update_or_create(user=user, defaults={"client": client, "role": role})
    issued = 0
    for invoice in invoice_generate(period=period, client_code=PORTAL_CLIENT):
        if invoice.status == Invoice.Status.DRAFT:
            invoice_issue(invoice=invoice)
            issued += 1
    reports = service_reports_build(period=period)
    return {"client_users": len(PORTAL_USERS), "issued": issued, "reports": len(reports)}
