"""The audit trail: who changed a price, an invoice or a project setting, when, from what
to what, whether through the admin (session) or the API (token)."""

import datetime as dt

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.urls import reverse

from billing.models import Invoice, Tariff
from projects.models import Project
from projects.roles import PROJECT_MANAGERS, roles_setup
from tests.factories import InvoiceFactory, TariffFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 3, 8, 30, tzinfo=dt.UTC)


def _entries(obj):
    """(action, actor's username, timestamp, changes) of each entry about ``obj``, oldest
    first."""
    return [
        (
            entry.action,
            entry.actor.username if entry.actor else None,
            entry.timestamp,
            entry.changes,
        )
        for entry in LogEntry.objects.get_for_object(obj).select_related("actor").order_by("pk")
    ]


def _updates(obj):
    return [entry for entry in _entries(obj) if entry[0] == LogEntry.Action.UPDATE]


@pytest.fixture
def pm_admin(client, pm_project):
    """The conftest's project manager, in the admin with the PM role."""
    roles_setup()
    pm = UserFactory(username="pm", is_staff=True)
    pm.groups.add(Group.objects.get(name=PROJECT_MANAGERS))
    pm_project.managers.add(pm)
    client.force_login(pm)
    return client


def test_a_pm_changing_a_tariff_in_the_admin_is_recorded(pm_admin, pm_project):
    tariff = TariffFactory(project=pm_project, valid_from=dt.date(2026, 12, 1))
    form = {
        "project": pm_project.pk,
        "valid_from": "2026-12-01",
        "currency": "RUB",
        "rate_per_minute": "14.2500",
        "first_increment_seconds": "30",
        "next_increment_seconds": "6",
        "free_seconds": "0",
        "billable": "connected",
        "wrap_cap_seconds": "",
        "monthly_minimum": "0.00",
        "bands-TOTAL_FORMS": "0",
        "bands-INITIAL_FORMS": "0",
    }
    with time_machine.travel(NOW, tick=False):
        response = pm_admin.post(reverse("admin:billing_tariff_change", args=[tariff.pk]), form)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert _updates(tariff) == [
        (
            LogEntry.Action.UPDATE,
            "pm",
            NOW,
            {
                "rate_per_minute": ["12.5000", "14.2500"],
                "first_increment_seconds": ["60", "30"],
                "next_increment_seconds": ["60", "6"],
            },
        )
    ]
    entry = LogEntry.objects.get_for_object(tariff).get(action=LogEntry.Action.UPDATE)
    assert entry.remote_addr == "127.0.0.1"


def test_a_pm_changing_a_tariff_through_the_api_is_recorded_with_the_token_user(pm_api, pm_project):
    tariff = TariffFactory(project=pm_project, valid_from=dt.date(2026, 12, 1))
    with time_machine.travel(NOW, tick=False):
        response = pm_api.patch(
            f"/api/v1/tariffs/{tariff.pk}/",
            {"rate_per_minute": "13.0000", "monthly_minimum": "5000.00"},
            HTTP_X_REQUEST_ID="crm-req-1",
        )

    assert response.status_code == 200, response.json()
    assert _updates(tariff) == [
        (
            LogEntry.Action.UPDATE,
            "pm",
            NOW,
            {"rate_per_minute": ["12.5000", "13.0000"], "monthly_minimum": ["0.00", "5000.00"]},
        )
    ]
    # The entry leads to the request's log line.
    assert LogEntry.objects.get_for_object(tariff).get(action=LogEntry.Action.UPDATE).cid == (
        "crm-req-1"
    )


def test_a_tariff_created_and_deleted_through_the_api_is_recorded(pm_api, admin_api, pm_project):
    with time_machine.travel(NOW, tick=False):
        created = pm_api.post(
            "/api/v1/tariffs/",
            {"project": "pm-hotline", "valid_from": "2027-01-01", "rate_per_minute": "9.50"},
        )
        assert created.status_code == 201, created.json()
        tariff = Tariff.objects.get(pk=created.json()["id"])
        assert admin_api.delete(f"/api/v1/tariffs/{tariff.pk}/").status_code == 204

    entries = _entries(tariff)
    assert [(action, actor, at) for action, actor, at, _ in entries] == [
        (LogEntry.Action.CREATE, "pm", NOW),
        (LogEntry.Action.DELETE, "root", NOW),
    ]
    assert entries[0][3]["rate_per_minute"] == ["None", "9.5000"]
    assert entries[1][3]["rate_per_minute"] == ["9.5000", "None"]


def test_bands_replaced_through_the_api_are_recorded_on_the_tariff(
    pm_api, pm_project, django_capture_on_commit_callbacks
):
    """The service replaces bands with a bulk insert (no signal): the tariff's entry shows
    the whole set before and after, once the change commits."""
    tariff = TariffFactory(project=pm_project, valid_from=dt.date(2026, 12, 1))
    night = {"name": "night", "weekdays": [0, 1, 2, 3, 4], "start": "22:00", "end": "08:00"}
    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            first = pm_api.patch(
                f"/api/v1/tariffs/{tariff.pk}/", {"bands": [{**night, "rate_per_minute": "15"}]}
            )
        with django_capture_on_commit_callbacks(execute=True):
            second = pm_api.patch(
                f"/api/v1/tariffs/{tariff.pk}/", {"bands": [{**night, "rate_per_minute": "16"}]}
            )

    assert (first.status_code, second.status_code) == (200, 200)
    band = (
        "position=0, name=night, display_name=, weekdays=[0, 1, 2, 3, 4], start=22:00:00, "
        "end=08:00:00, "
    )
    assert [
        (actor, changes["bands"]) for _, actor, _, changes in _updates(tariff) if "bands" in changes
    ] == [
        ("pm", ["", band + "rate_per_minute=15.0000"]),
        ("pm", [band + "rate_per_minute=15.0000", band + "rate_per_minute=16.0000"]),
    ]


ISSUED_AT = dt.datetime(2026, 11, 3, 8, 30, tzinfo=dt.UTC)
VOIDED_AT = dt.datetime(2026, 11, 4, 12, 0, tzinfo=dt.UTC)


def test_a_superuser_issuing_in_the_admin_and_voiding_through_the_api_is_recorded(
    admin_client, admin_user, admin_api
):
    draft = InvoiceFactory(period=dt.date(2026, 10, 1))
    with time_machine.travel(ISSUED_AT, tick=False):
        response = admin_client.post(
            reverse("admin:billing_invoice_changelist"),
            {"action": "issue_invoices", "_selected_action": [draft.pk]},
        )
    assert response.status_code == 302
    with time_machine.travel(VOIDED_AT, tick=False):
        response = admin_api.post(f"/api/v1/invoices/{draft.pk}/void/")
    assert response.status_code == 200, response.json()

    invoice = Invoice.objects.get(pk=draft.pk)
    assert invoice.number == "INV-2026-000001"
    assert _updates(invoice) == [
        (
            LogEntry.Action.UPDATE,
            admin_user.username,
            ISSUED_AT,
            {
                "status": ["draft", "issued"],
                "number": ["None", "INV-2026-000001"],
                "issued_at": ["None", "2026-11-03 08:30:00"],
                "due_date": ["None", "2026-11-13"],
            },
        ),
        (
            LogEntry.Action.UPDATE,
            "root",
            VOIDED_AT,
            {"status": ["issued", "void"], "voided_at": ["None", "2026-11-04 12:00:00"]},
        ),
    ]


def test_paying_through_the_api_is_recorded(admin_api):
    draft = InvoiceFactory(period=dt.date(2026, 10, 1))
    with time_machine.travel(ISSUED_AT, tick=False):
        assert admin_api.post(f"/api/v1/invoices/{draft.pk}/issue/").status_code == 200
    with time_machine.travel(VOIDED_AT, tick=False):
        assert admin_api.post(f"/api/v1/invoices/{draft.pk}/pay/").status_code == 200

    assert [(actor, at, changes["status"]) for _, actor, at, changes in _updates(draft)] == [
        ("root", ISSUED_AT, ["draft", "issued"]),
        ("root", VOIDED_AT, ["issued", "paid"]),
    ]


def test_a_service_call_outside_a_request_names_its_actor_when_given_one():
    from billing.invoices import invoice_issue
    from contactcenter.audit import acting_as

    accountant = UserFactory(username="accountant")
    draft = InvoiceFactory(period=dt.date(2026, 10, 1))
    with time_machine.travel(ISSUED_AT, tick=False), acting_as(accountant):
        invoice_issue(invoice=draft)
    other = InvoiceFactory(period=dt.date(2026, 9, 1), client=draft.client)
    with time_machine.travel(ISSUED_AT, tick=False):
        invoice_issue(invoice=other)  # a Celery task, a command: no actor, "the system"

    assert [(actor, changes["status"]) for _, actor, _, changes in _updates(draft)] == [
        ("accountant", ["draft", "issued"])
    ]
    assert [(actor, changes["status"]) for _, actor, _, changes in _updates(other)] == [
        (None, ["draft", "issued"])
    ]


MANAGER_ADDED = {"managers": {"type": "m2m", "objects": ["pm"], "operation": "add"}}


def test_a_pm_changing_a_kpi_target_through_the_api_is_recorded(pm_api, pm_project):
    with time_machine.travel(NOW, tick=False):
        response = pm_api.patch(
            "/api/v1/projects/pm-hotline/",
            {"sl_target": "0.900", "asa_target_seconds": 25},
        )

    assert response.status_code == 200, response.json()
    assert _updates(Project.objects.get(code="pm-hotline")) == [
        # The fixture making "pm" the project's manager, outside any request: no actor.
        (LogEntry.Action.UPDATE, None, _updates(pm_project)[0][2], MANAGER_ADDED),
        (
            LogEntry.Action.UPDATE,
            "pm",
            NOW,
            {"sl_target": ["0.800", "0.900"], "asa_target_seconds": ["None", "25"]},
        ),
    ]


def test_the_trail_in_the_admin_is_read_only_and_for_superusers_only(
    admin_client, pm_admin, pm_project
):
    tariff = TariffFactory(project=pm_project)
    entry = LogEntry.objects.get_for_object(tariff).get()
    changelist = reverse("admin:auditlog_logentry_changelist")
    change = reverse("admin:auditlog_logentry_change", args=[entry.pk])

    listed = admin_client.get(changelist)
    shown = admin_client.get(change)

    assert listed.status_code == 200
    assert {row.pk for row in listed.context["cl"].result_list} == set(
        LogEntry.objects.values_list("pk", flat=True)
    )
    assert shown.status_code == 200
    assert 'name="_save"' not in shown.content.decode()
    assert admin_client.post(change, {}).status_code == 403
    assert pm_admin.get(changelist).status_code == 403
    assert "auditlog" not in pm_admin.get(reverse("admin:index")).content.decode()
