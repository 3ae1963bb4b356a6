"""The invoices admin: downloads, generation (page and action), issue/pay/void actions
through the services with a message per invoice, the period filter and the archives."""

import datetime as dt
import io
import zipfile

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.urls import reverse

from billing.models import Invoice
from projects.roles import PROJECT_MANAGERS, roles_setup
from tests.billing.invoice_samples import issue, sample_invoice, volga_client
from tests.factories import ProjectFactory, UserFactory
from tests.factories.billing import answered_call, local_dt, tariff

# Files are stored under a fresh MEDIA_ROOT per test (conftest.py's media).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]
CHANGELIST = reverse("admin:billing_invoice_changelist")


def export_url(invoice, name):
    return reverse("admin:billing_invoice_export", args=[invoice.pk, name])


def messages_of(response):
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


def act(admin_client, action, *invoices, **extra):
    data = {"action": action, "_selected_action": [i.pk for i in invoices], **extra}
    return admin_client.post(CHANGELIST, data, follow=True)


def test_changelist_has_download_links_and_the_tool_buttons(admin_client):
    invoice = issue(sample_invoice())
    html = admin_client.get(CHANGELIST).content.decode()
    for name in ("pdf", "xlsx", "csv", "detail"):
        assert f'href="{export_url(invoice, name)}"' in html
    assert reverse("admin:billing_invoice_generate") in html
    assert reverse("admin:billing_invoice_archives") in html


def test_the_change_page_of_an_issued_invoice_links_its_downloads(admin_client):
    invoice = issue(sample_invoice())
    response = admin_client.get(reverse("admin:billing_invoice_change", args=[invoice.pk]))
    assert export_url(invoice, "pdf") in response.content.decode()


@pytest.mark.parametrize(
    ("name", "content_type", "filename"),
    [
        ("pdf", "application/pdf", "INV-2026-000001.pdf"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "INV-2026-000001.xlsx"),
        ("csv", "text/csv; charset=utf-8", "INV-2026-000001.csv"),
    ],
)  # fmt: skip
def test_downloads(admin_client, name, content_type, filename):
    invoice = issue(sample_invoice())
    response = admin_client.get(export_url(invoice, name))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'


def test_an_unknown_format_is_a_404(admin_client):
    assert admin_client.get(export_url(sample_invoice(), "docx")).status_code == 404


def test_a_detail_that_cannot_be_listed_is_a_message_not_a_500(admin_client):
    invoice = sample_invoice()  # hand-made lines: no calls rate to them
    response = admin_client.get(export_url(invoice, "detail"), follow=True)
    assert response.status_code == 200
    assert messages_of(response)[0][0] == "error"


def test_issue_pay_and_void_actions_report_each_invoice(admin_client):
    first = sample_invoice()
    second = sample_invoice(volga_client(code="sib"), code="sib")

    response = act(admin_client, "issue_invoices", first, second)
    assert response.status_code == 200
    numbers = dict(Invoice.objects.values_list("pk", "number"))
    assert all(numbers.values())
    assert [level for level, _ in messages_of(response)] == ["success", "success"]

    response = act(admin_client, "pay_invoices", first)
    assert Invoice.objects.get(pk=first.pk).status == "paid"
    response = act(admin_client, "void_invoices", first, second)
    assert Invoice.objects.get(pk=second.pk).status == "void"
    assert Invoice.objects.get(pk=first.pk).status == "paid"
    levels = sorted(level for level, _ in messages_of(response))
    assert levels == ["error", "success"]
    error = next(text for level, text in messages_of(response) if level == "error")
    assert numbers[first.pk] in error
    assert "paid" in error


def test_a_wrong_transition_is_an_error_message(admin_client):
    draft = sample_invoice()
    response = act(admin_client, "pay_invoices", draft)
    assert response.status_code == 200
    ((level, text),) = messages_of(response)
    assert level == "error"
    assert "draft" in text
    assert Invoice.objects.get(pk=draft.pk).status == "draft"


@pytest.fixture
def billed(db):
    project = ProjectFactory(code="volga-hotline", client=volga_client())
    tariff(project, rate="10.0000", scheme="60/60")
    answered_call(project, local_dt("2026-10-05 10:00"), connected=90)
    return project


def test_the_generate_page_asks_the_period_and_generates(admin_client, billed):
    url = reverse("admin:billing_invoice_generate")
    assert admin_client.get(url).status_code == 200
    bad = admin_client.post(url, {"period": "2026-13"})
    assert bad.status_code == 200
    assert bad.context["form"].errors["period"]

    response = admin_client.post(url, {"period": "2026-10", "client": "volga-bank"})

    assert response.status_code == 302
    assert response["Location"] == f"{CHANGELIST}?period=2026-10"
    (invoice,) = Invoice.objects.all()
    assert str(invoice.total) == "20.00"


def test_the_generate_action_has_an_intermediate_period_form(admin_client, billed):
    draft = sample_invoice(volga_client(code="sib"), code="sib", period=dt.date(2026, 9, 1))
    page = act(admin_client, "generate_for_clients", draft)
    assert page.status_code == 200
    assert page.context["form"].initial["period"] == "2026-09"
    assert "sib" in page.content.decode()

    Invoice.objects.all().delete()
    done = act(admin_client, "generate_for_clients", draft, apply="1", period="2026-10")
    assert done.status_code == 200
    assert messages_of(done) == [("info", "No invoice to generate for 2026-10.")]


def test_the_period_filter(admin_client):
    october = sample_invoice()
    september = sample_invoice(volga_client(code="sib"), code="sib", period=dt.date(2026, 9, 1))
    rows = admin_client.get(CHANGELIST, {"period": "2026-09"}).context["cl"].result_list
    assert list(rows) == [september]
    html = admin_client.get(CHANGELIST).content.decode()
    assert "?period=2026-10" in html
    assert october.pk


def test_the_archives_page_lists_months_and_downloads_a_zip(admin_client):
    issue(sample_invoice())
    page = admin_client.get(reverse("admin:billing_invoice_archives"))
    assert page.context["periods"] == [("2026-10", 1)]
    response = admin_client.get(reverse("admin:billing_invoice_archives"), {"period": "2026-10"})
    assert response["Content-Disposition"] == 'attachment; filename="invoices-2026-10.zip"'
    names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    assert "registry-2026-10.xlsx" in names
    assert "INV-2026-000001.pdf" in names


def test_a_pm_downloads_only_their_clients_invoices(client):
    roles_setup()
    pm = UserFactory(username="olga", is_staff=True)
    pm.groups.add(Group.objects.get(name=PROJECT_MANAGERS))
    mine = issue(sample_invoice(volga_client(code="mine"), code="mine"))
    mine.lines.first().project.managers.add(pm)
    theirs = issue(sample_invoice(volga_client(code="theirs"), code="theirs"), "INV-2026-000002")
    client.force_login(pm)

    assert client.get(export_url(mine, "pdf")).status_code == 200
    assert client.get(export_url(theirs, "pdf")).status_code == 404
    archive = client.get(reverse("admin:billing_invoice_archives"), {"period": "2026-10"})
    names = zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))).namelist()
    assert "INV-2026-000001.pdf" in names
    assert "INV-2026-000002.pdf" not in names
