"""The "Import CDR" admin page: upload, dry run, summary; only the staff's own sources."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from calls.models import Call
from telephony.models import AgentMapping, TelephonySource
from tests.factories import ClientFactory, OperatorFactory, ProjectFactory, UserFactory

DATA = Path(__file__).parent / "data"
AST21 = (DATA / "asterisk_cc_master_21cols_cp1251.csv").read_bytes()
URL = reverse("telephony_import_cdr")


@pytest.fixture
def source(db):
    acme = ClientFactory(code="acme")
    hotline = ProjectFactory(code="hotline", client=acme)
    source = TelephonySource.objects.create(
        client=acme, code="acme-pbx", name="ACME PBX", kind="asterisk-cdr-csv"
    )
    AgentMapping.objects.create(source=source, name="1001", operator=OperatorFactory(code="ivan"))
    AgentMapping.objects.create(source=source, name="1002", operator=OperatorFactory(code="olga"))
    source.queue_mappings.create(queue="800", project=hotline)  # its only project: every call
    return source


def post(client, source, *, dry_run):
    data = {
        "source": source.pk,
        "format": "asterisk-csv",
        "file": SimpleUploadedFile("Master.csv", AST21),
    }
    if dry_run:
        data["dry_run"] = "on"
    return client.post(URL, data, HTTP_ACCEPT_LANGUAGE="ru")


def test_the_page_preselects_the_source_and_its_format(admin_client, source):
    page = admin_client.get(f"{URL}?source={source.pk}", HTTP_ACCEPT_LANGUAGE="ru")
    assert page.status_code == 200
    form = page.context["form"]
    assert (form.initial["source"], form.initial["format"], form.initial["dry_run"]) == (
        source,
        "asterisk-csv",
        True,
    )
    assert "Импорт CDR" in page.content.decode()


def test_a_dry_run_shows_the_summary_and_stores_nothing(admin_client, source):
    page = post(admin_client, source, dry_run=True)
    result = page.context["result"]
    assert (result.calls, result.created, result.parked_total, result.dry_run) == (7, 6, 1, True)
    assert not Call.objects.exists()
    text = page.content.decode()
    assert "Пробный запуск: ничего не сохранено" in text
    assert "PJSIP/1003-0000000b" in text


def test_an_import_stores(admin_client, source):
    page = post(admin_client, source, dry_run=False)
    assert page.context["result"].created == 6
    assert Call.objects.count() == 6


def test_staff_see_only_the_sources_of_their_projects(client, source):
    other = TelephonySource.objects.create(
        client=ClientFactory(code="other"), code="other-pbx", name="O", kind="asterisk-cdr-csv"
    )
    pm = UserFactory(username="pm", is_staff=True)
    source.client.projects.get().managers.add(pm)
    client.force_login(pm)
    form = client.get(URL).context["form"]
    assert list(form.fields["source"].queryset) == [source]
    page = post(client, other, dry_run=True)
    assert "source" in page.context["form"].errors
    assert page.context["result"] is None
