"""A caller's data is erasable (152-FZ art. 21, GDPR art. 17): contacts/erase/, the retention
job, and the masked numbers QA evaluators and trainers see (docs/privacy.md)."""

import datetime as dt
import importlib
import json
from io import StringIO

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.test import Client as BrowserClient
from django.test import override_settings
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from calls import rollups, tasks
from calls.erasure import months_before
from calls.models import Call, Contact, ErasureRecord
from calls.phones import phone_mask
from projects.roles import PROJECT_MANAGERS, roles_setup
from tests.conftest import _client_for
from tests.factories import (
    T0,
    CallFactory,
    ContactFactory,
    IntegrationAccountFactory,
    ProjectFactory,
    UserFactory,
)
from tests.factories.quality import qa_evaluators_group

NUMBER = "+79011234552"
TYPED = "8 (901) 123-45-52"
MASKED = "+7 901 *** ** 52"
ERASE = "/api/v1/contacts/erase/"
ZERO = {"calls_pseudonymized": 0, "contacts_deleted": 0, "recordings_unlinked": 0}


def _durations(project):
    return Call.objects.filter(project=project).aggregate(
        calls=Count("id"), handle=Sum("handle_seconds"), talk=Sum("talk_seconds")
    )


@pytest.fixture
def world(db):
    """A number with 3 calls over 2 projects of 2 clients; a PM manages the first only."""
    ours = ProjectFactory(code="erase-a")
    theirs = ProjectFactory(code="erase-b")
    contacts = {
        ours: ContactFactory(project=ours, phone=NUMBER, name="Ivan", notes="prefers mornings"),
        theirs: ContactFactory(project=theirs, phone=NUMBER, notes="VIP"),
    }
    calls = [
        CallFactory(
            project=ours,
            caller=NUMBER,
            contact=contacts[ours],
            recording_url="https://rec.example/1.mp3",
        ),
        CallFactory(project=ours, caller=NUMBER, contact=contacts[ours]),
        CallFactory(
            project=theirs,
            caller=NUMBER,
            contact=contacts[theirs],
            recording_url="https://rec.example/3.mp3",
        ),
    ]
    other = CallFactory(
        project=ours, caller="+74950000001", recording_url="https://rec.example/o.mp3"
    )
    pm = UserFactory(username="erase-pm", is_staff=True)
    ours.managers.add(pm)
    return {
        "ours": ours,
        "theirs": theirs,
        "contacts": contacts,
        "calls": calls,
        "other": other,
        "pm": pm,
    }


def test_a_pm_erases_the_number_in_their_project_only(world):
    ours, theirs = world["ours"], world["theirs"]
    before = {project: _durations(project) for project in (ours, theirs)}

    response = _client_for(world["pm"]).post(ERASE, {"phone": TYPED}, format="json")

    assert response.status_code == 200, response.content
    assert response.json() == {
        "calls_pseudonymized": 2,
        "contacts_deleted": 1,
        "recordings_unlinked": 1,
    }
    first, second, their_call = (Call.objects.get(pk=call.pk) for call in world["calls"])
    for call in (first, second):
        assert (call.caller, call.caller_erased, call.contact_id, call.recording_url) == (
            "",
            True,
            None,
            "",
        )
    assert (their_call.caller, their_call.caller_erased) == (NUMBER, False)
    assert their_call.recording_url == "https://rec.example/3.mp3"
    assert their_call.contact_id == world["contacts"][theirs].pk
    # The contact and its notes are gone from our project; theirs is untouched.
    assert list(Contact.objects.filter(phone=NUMBER).values_list("project__code", "notes")) == [
        ("erase-b", "VIP")
    ]
    # Another caller of the same project keeps everything.
    other = Call.objects.get(pk=world["other"].pk)
    assert (other.caller, other.recording_url) == ("+74950000001", "https://rec.example/o.mp3")
    # Counts and durations, hence KPIs and invoices, do not change.
    assert {project: _durations(project) for project in (ours, theirs)} == before
    assert before[ours] == {"calls": 3, "handle": 510, "talk": 420}


def test_the_kpis_read_the_same_after_erasure_and_a_refill(world):
    pm = _client_for(world["pm"])
    day = {"from": "2026-10-05T00:00:00Z", "to": "2026-10-06T00:00:00Z", "granularity": "hour"}
    now = T0 + dt.timedelta(hours=3)
    with time_machine.travel(now, tick=False):
        rollups.rollup_kpis(now=now)
    before = pm.get("/api/v1/projects/erase-a/kpis/", day).json()

    pm.post(ERASE, {"phone": NUMBER}, format="json")
    with time_machine.travel(now, tick=False):  # a forced refill reads the erased calls again
        rollups.rollup_kpis(now=now, start=T0 - dt.timedelta(hours=1), end=now)
    after = pm.get("/api/v1/projects/erase-a/kpis/", day).json()

    assert (before["totals"]["offered"], before["totals"]["aht_seconds"]) == (3, 170.0)
    assert after == before


def test_the_erasure_record_names_who_when_and_how_much_never_the_number(world):
    _client_for(world["pm"]).post(ERASE, {"phone": TYPED}, format="json")

    record = ErasureRecord.objects.get()
    assert (record.actor, record.actor_name, record.reason) == (world["pm"], "erase-pm", "request")
    assert (record.all_projects, record.project_codes) == (False, ["erase-a"])
    assert (record.calls_pseudonymized, record.contacts_deleted, record.recordings_unlinked) == (
        2,
        1,
        1,
    )
    assert len(record.phone_digest) == 64
    columns = json.dumps(list(ErasureRecord.objects.values().get().values()), default=str)
    for fragment in (NUMBER, NUMBER[1:], "9011234552", "1234552"):
        assert fragment not in columns


def test_erasing_again_answers_zeros_and_a_superuser_erases_everywhere(world, admin_api):
    pm = _client_for(world["pm"])
    pm.post(ERASE, {"phone": NUMBER}, format="json")

    assert pm.post(ERASE, {"phone": "+7 901 123 45 52"}, format="json").json() == ZERO
    answer = admin_api.post(ERASE, {"phone": NUMBER}, format="json")
    assert (answer.status_code, answer.json()) == (
        200,
        {"calls_pseudonymized": 1, "contacts_deleted": 1, "recordings_unlinked": 1},
    )
    assert admin_api.post(ERASE, {"phone": NUMBER}, format="json").json() == ZERO
    assert not Call.objects.filter(caller=NUMBER).exists()
    assert not Contact.objects.filter(phone=NUMBER).exists()
    assert Call.objects.filter(caller_erased=True).count() == 3
    records = ErasureRecord.objects.order_by("id")
    assert [(r.all_projects, r.calls_pseudonymized) for r in records] == [
        (False, 2),
        (False, 0),
        (True, 1),
        (True, 0),
    ]
    # The same number gives the same keyed hash: a repeated request is recognised.
    assert len({r.phone_digest for r in records}) == 1


def test_a_superuser_alone_erases_all_three_calls(world, admin_api):
    response = admin_api.post(ERASE, {"phone": NUMBER}, format="json")
    assert response.json() == {
        "calls_pseudonymized": 3,
        "contacts_deleted": 2,
        "recordings_unlinked": 2,
    }


def test_the_linking_job_does_not_recreate_the_contact(world, admin_api):
    admin_api.post(ERASE, {"phone": NUMBER}, format="json")

    tasks.link_contacts_all_projects.delay()  # eager in tests: the job's own code runs

    assert Contact.objects.filter(phone=NUMBER).count() == 0
    assert (
        Call.objects.filter(pk__in=[c.pk for c in world["calls"]], contact__isnull=False).count()
        == 0
    )


def test_a_later_call_from_the_number_is_a_new_caller(world, admin_api):
    admin_api.post(ERASE, {"phone": NUMBER}, format="json")
    row = {
        "external_id": "after-erasure",
        "project": "erase-a",
        "caller": NUMBER,
        "offered_at": "2026-10-06T10:00:00Z",
        "ended_at": "2026-10-06T10:01:00Z",
    }

    assert admin_api.post("/api/v1/calls/", row, format="json").status_code == 201

    contact = Contact.objects.get(phone=NUMBER)
    assert (contact.project.code, contact.name, contact.notes) == ("erase-a", "", "")
    assert Call.objects.filter(contact=contact).count() == 1


def test_an_integration_erases_its_own_clients_callers(world):
    bot = IntegrationAccountFactory(
        user=UserFactory(username="erase-bot"), client=world["ours"].client
    )
    response = _client_for(bot.user).post(ERASE, {"phone": NUMBER}, format="json")
    assert response.json() == {
        "calls_pseudonymized": 2,
        "contacts_deleted": 1,
        "recordings_unlinked": 1,
    }
    assert Call.objects.filter(caller=NUMBER).get().project.code == "erase-b"


@pytest.mark.parametrize("relation", ["qa_evaluators", "trainers", None])
def test_evaluators_trainers_and_staff_without_a_project_may_not_erase(world, relation):
    user = UserFactory(username="erase-staff", is_staff=True)
    if relation:
        getattr(world["ours"], relation).add(user)

    response = _client_for(user).post(ERASE, {"phone": NUMBER}, format="json")

    assert response.status_code == 403
    assert "managers" in response.json()["detail"]
    assert Call.objects.filter(caller=NUMBER).count() == 3
    assert Contact.objects.filter(phone=NUMBER).count() == 2
    assert not ErasureRecord.objects.exists()


def test_anonymous_is_refused(world, anon_api):
    assert anon_api.post(ERASE, {"phone": NUMBER}, format="json").status_code == 401


@pytest.mark.parametrize(
    "body", [{"phone": "hello"}, {"phone": "12"}, {"phone": ""}, {}, {"phone": "9" * 40}]
)
def test_an_invalid_number_is_a_400_naming_phone(world, admin_api, body):
    response = admin_api.post(ERASE, body, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["phone"]
    assert Call.objects.filter(caller=NUMBER).count() == 3
    assert not ErasureRecord.objects.exists()


# --- Masking ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        (NUMBER, MASKED),
        ("+442079460958", "+44 207 *** ** 58"),
        ("+12025550123", "+1 202 *** ** 23"),
        ("+3545551234", "+354 55 *** 34"),  # 7-digit national number: 3 digits stay hidden
        ("+861012345678901", "+86 101 *** *** ** 01"),
        ("", ""),
    ],
)
def test_phone_mask(number, masked):
    assert phone_mask(number) == masked


def test_evaluators_see_masked_numbers_managers_and_integrations_full(world):
    evaluator = UserFactory(username="erase-evaluator", is_staff=True)
    world["ours"].qa_evaluators.add(evaluator)
    bot = IntegrationAccountFactory(
        user=UserFactory(username="erase-bot"), client=world["ours"].client
    )
    call = world["calls"][0]

    as_evaluator = _client_for(evaluator)
    listed = as_evaluator.get("/api/v1/calls/", {"project": "erase-a"}).json()["results"]
    assert sorted(row["caller"] for row in listed) == ["+7 495 *** ** 01", MASKED, MASKED]
    assert as_evaluator.get(f"/api/v1/calls/{call.pk}/").json()["caller"] == MASKED
    for api in (_client_for(world["pm"]), _client_for(bot.user)):
        assert api.get(f"/api/v1/calls/{call.pk}/").json()["caller"] == NUMBER


def test_a_manager_who_evaluates_another_project_sees_that_ones_masked(world):
    world["theirs"].qa_evaluators.add(world["pm"])
    api = _client_for(world["pm"])
    ours, theirs = world["calls"][0], world["calls"][2]
    assert api.get(f"/api/v1/calls/{ours.pk}/").json()["caller"] == NUMBER
    assert api.get(f"/api/v1/calls/{theirs.pk}/").json()["caller"] == MASKED


def test_the_admin_masks_numbers_for_evaluators(world):
    evaluator = UserFactory(username="erase-evaluator", is_staff=True)
    evaluator.groups.add(qa_evaluators_group())
    world["ours"].qa_evaluators.add(evaluator)
    browser = BrowserClient()
    browser.force_login(evaluator)
    call = world["calls"][0]

    listing = browser.get(reverse("admin:calls_call_changelist")).content.decode()
    page = browser.get(reverse("admin:calls_call_change", args=[call.pk])).content.decode()
    found = browser.get(reverse("admin:calls_call_changelist"), {"q": NUMBER})

    assert MASKED in listing
    assert NUMBER not in listing
    assert MASKED in page
    assert NUMBER not in page
    assert "Ivan" not in page
    assert list(found.context["cl"].result_list) == []  # no number search where masked


# --- Retention -------------------------------------------------------------------------------

NOW = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def aged(db):
    """Calls 8, 7 and 3 months old; one contact called only long ago, one recently too."""
    project = ProjectFactory(code="aged")
    gone = ContactFactory(project=project, phone="+79010000001", notes="old")
    current = ContactFactory(project=project, phone="+79010000002")

    def call(months, contact, **kwargs):
        return CallFactory(
            project=project,
            caller=contact.phone,
            contact=contact,
            offered_at=months_before(NOW, months),
            **kwargs,
        )

    calls = [
        call(8, gone, recording_url="https://rec.example/a.mp3"),
        call(7, gone),
        call(7, current),
        call(3, current, recording_url="https://rec.example/b.mp3"),
        call(0, current),
    ]
    return {"project": project, "gone": gone, "current": current, "calls": calls}


def test_the_retention_job_pseudonymizes_only_older_calls(aged):
    with override_settings(CALLER_RETENTION_MONTHS=6), time_machine.travel(NOW, tick=False):
        result = tasks.erase_old_callers.delay().get()

    assert result == {
        "calls_pseudonymized": 3,
        "contacts_deleted": 1,
        "recordings_unlinked": 1,
        "cutoff": "2026-04-05T09:00:00+00:00",
    }
    erased = [Call.objects.get(pk=c.pk).caller_erased for c in aged["calls"]]
    assert erased == [True, True, True, False, False]
    assert Call.objects.get(pk=aged["calls"][3].pk).recording_url == "https://rec.example/b.mp3"
    assert list(Contact.objects.values_list("phone", flat=True)) == ["+79010000002"]
    record = ErasureRecord.objects.get()
    assert (record.reason, record.actor, record.all_projects, record.phone_digest) == (
        "retention",
        None,
        True,
        "",
    )
    assert record.cutoff == dt.datetime(2026, 4, 5, 9, 0, tzinfo=dt.UTC)

    with override_settings(CALLER_RETENTION_MONTHS=6), time_machine.travel(NOW, tick=False):
        again = tasks.erase_old_callers.delay().get()
    assert (again["calls_pseudonymized"], again["contacts_deleted"]) == (0, 0)
    # Every completed run is recorded, zeros included: the proof that retention runs.
    assert list(
        ErasureRecord.objects.order_by("id").values_list("calls_pseudonymized", flat=True)
    ) == [3, 0]


def test_a_late_call_older_than_the_retention_is_erased_by_the_next_run(aged):
    with override_settings(CALLER_RETENTION_MONTHS=6), time_machine.travel(NOW, tick=False):
        tasks.erase_old_callers.delay()
    next_day = NOW + dt.timedelta(days=1)
    with time_machine.travel(next_day, tick=False):  # received now, offered 9 months ago
        late = CallFactory(
            project=aged["project"], caller="+79010000009", offered_at=months_before(NOW, 9)
        )
    untouched = CallFactory(
        project=aged["project"], caller="+79010000008", offered_at=months_before(NOW, 4)
    )

    with override_settings(CALLER_RETENTION_MONTHS=6), time_machine.travel(next_day, tick=False):
        result = tasks.erase_old_callers.delay().get()

    assert (result["calls_pseudonymized"], result["cutoff"]) == (1, "2026-04-06T09:00:00+00:00")
    assert Call.objects.get(pk=late.pk).caller_erased is True
    assert Call.objects.get(pk=untouched.pk).caller == "+79010000008"


def test_without_the_setting_the_job_keeps_everything(aged):
    with override_settings(CALLER_RETENTION_MONTHS=0):
        assert tasks.erase_old_callers.delay().get() == {
            "skipped": "CALLER_RETENTION_MONTHS is not set"
        }
    assert not Call.objects.filter(caller_erased=True).exists()


def test_the_command_dry_run_counts_and_changes_nothing(aged):
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("erase_old_callers", "--months", "6", "--dry-run", stdout=out)
    assert json.loads(out.getvalue()) == {
        "calls_pseudonymized": 3,
        "contacts_deleted": 1,
        "recordings_unlinked": 1,
        "cutoff": "2026-04-05T09:00:00+00:00",
        "dry_run": True,
    }
    assert not Call.objects.filter(caller_erased=True).exists()
    assert Contact.objects.count() == 2

    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("erase_old_callers", "--months", "2", stdout=out)
    assert json.loads(out.getvalue())["calls_pseudonymized"] == 4


@pytest.mark.parametrize("months", ["-1", "5000"])
def test_the_command_refuses_a_bad_month_count(db, months):
    with pytest.raises(CommandError, match="--months"):
        call_command("erase_old_callers", "--months", months)


def test_the_command_needs_a_retention(db):
    with (
        override_settings(CALLER_RETENTION_MONTHS=0),
        pytest.raises(CommandError, match="No retention"),
    ):
        call_command("erase_old_callers")


def test_months_before_clamps_to_the_months_last_day():
    assert months_before(dt.datetime(2026, 8, 31, tzinfo=dt.UTC), 6) == dt.datetime(
        2026, 2, 28, tzinfo=dt.UTC
    )
    assert months_before(dt.datetime(2026, 1, 15, tzinfo=dt.UTC), 13) == dt.datetime(
        2024, 12, 15, tzinfo=dt.UTC
    )


def test_the_beat_schedule_is_installed_daily(db):
    migration = importlib.import_module("calls.migrations.0012_schedule_caller_retention")
    migration.create_schedule(apps, None)  # idempotent; a flushed test database lacks it
    migration.create_schedule(apps, None)

    task = PeriodicTask.objects.get(name=migration.NAME)
    assert task.task == "calls.erase_old_callers"
    assert (task.crontab.hour, task.crontab.minute, task.crontab.day_of_week) == ("3", "30", "*")


def test_an_erased_call_cannot_keep_a_number(world):
    call = world["calls"][0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Call.objects.filter(pk=call.pk).update(caller_erased=True)


def test_a_resent_erased_call_is_a_conflict_and_stores_nothing(world, admin_api):
    call = world["calls"][1]
    admin_api.post(ERASE, {"phone": NUMBER}, format="json")
    row = {
        "external_id": call.external_id,
        "project": "erase-a",
        "caller": NUMBER,
        "operator": call.operator.code,
        "offered_at": call.offered_at.isoformat(),
        "answered_at": call.answered_at.isoformat(),
        "ended_at": call.ended_at.isoformat(),
        "hold_seconds": 10,
        "wrap_seconds": 20,
    }

    response = admin_api.post("/api/v1/calls/", row, format="json")

    assert response.status_code == 409
    assert response.json()["errors"]["external_id"][0].endswith("with different caller.")
    assert not Call.objects.filter(caller=NUMBER).exists()
    assert not Contact.objects.filter(phone=NUMBER).exists()


def test_the_erasure_records_admin_finds_a_number_for_superusers_only(world, admin_api):
    admin_api.post(ERASE, {"phone": NUMBER}, format="json")
    admin_api.post(ERASE, {"phone": "+74950000001"}, format="json")
    root = BrowserClient()
    root.force_login(admin_api.user)
    url = reverse("admin:calls_erasurerecord_changelist")

    found = root.get(url, {"q": TYPED})
    other = root.get(url, {"q": "+7 999 000 00 00"})

    assert [r.calls_pseudonymized for r in found.context["cl"].result_list] == [3]
    assert list(other.context["cl"].result_list) == []
    assert NUMBER not in found.content.decode()
    manager = BrowserClient()
    manager.force_login(world["pm"])
    assert manager.get(url).status_code == 403


def test_a_manager_finds_calls_by_the_number_as_typed_in_the_admin(world):
    roles_setup()
    world["pm"].groups.add(Group.objects.get(name=PROJECT_MANAGERS))
    browser = BrowserClient()
    browser.force_login(world["pm"])

    found = browser.get(reverse("admin:calls_call_changelist"), {"q": TYPED})

    assert sorted(c.pk for c in found.context["cl"].result_list) == sorted(
        c.pk for c in world["calls"][:2]
    )
    assert NUMBER in found.content.decode()  # a manager sees the full number
