"""shifts/ and absences/: CRUD by id, activities written with the shift, local days."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction

from agents import replacements
from agents.models import Absence, Shift, ShiftActivity
from projects.roles import PROJECT_MANAGERS, roles_setup
from tests.conftest import _client_for
from tests.factories import (
    AbsenceFactory,
    CertificationFactory,
    OperatorFactory,
    ProjectFactory,
    ShiftFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SHIFTS = "/api/v1/shifts/"
ABSENCES = "/api/v1/absences/"


@pytest.fixture
def anna(pm_project):
    operator = OperatorFactory(code="anna")
    CertificationFactory(operator=operator, project=pm_project)
    return operator


def body(**extra):
    return {
        "operator": "anna",
        "project": "pm-hotline",
        "start": "2026-10-06T09:00:00+03:00",
        "end": "2026-10-06T18:00:00+03:00",
        "activities": [
            {
                "kind": "lunch",
                "start": "2026-10-06T13:00:00+03:00",
                "end": "2026-10-06T14:00:00+03:00",
            },
            {
                "kind": "break",
                "start": "2026-10-06T11:00:00+03:00",
                "end": "2026-10-06T11:15:00+03:00",
            },
        ],
        **extra,
    }


def test_a_shift_is_created_with_its_activities(pm_api, anna):
    response = pm_api.post(SHIFTS, body(), format="json")

    assert response.status_code == 201, response.content
    shift = Shift.objects.get()
    assert response.json() == {
        "id": shift.pk,
        "operator": "anna",
        "project": "pm-hotline",
        "start": "2026-10-06T06:00:00Z",
        "end": "2026-10-06T15:00:00Z",
        "note": "",
        "activities": [
            {"kind": "break", "start": "2026-10-06T08:00:00Z", "end": "2026-10-06T08:15:00Z"},
            {"kind": "lunch", "start": "2026-10-06T10:00:00Z", "end": "2026-10-06T11:00:00Z"},
        ],
    }
    assert pm_api.get(f"{SHIFTS}{shift.pk}/").json() == response.json()


def test_an_activity_outside_the_shift_is_a_400_naming_activities(pm_api, anna):
    late = {
        "kind": "meeting",
        "start": "2026-10-06T17:30:00+03:00",
        "end": "2026-10-06T18:30:00+03:00",
    }

    response = pm_api.post(SHIFTS, body(activities=[late]), format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "activities": {"0": {"start": ["The activity must lie inside the shift."]}}
    }
    assert not Shift.objects.exists()


def test_overlapping_activities_and_bad_kinds_are_refused(pm_api, anna):
    overlapping = body()
    overlapping["activities"][1]["end"] = "2026-10-06T13:30:00+03:00"
    bad_kind = body(
        activities=[{"kind": "nap", "start": "2026-10-06T10:00:00Z", "end": "2026-10-06T10:10:00Z"}]
    )

    first = pm_api.post(SHIFTS, overlapping, format="json")
    second = pm_api.post(SHIFTS, bad_kind, format="json")

    assert first.status_code == 400
    assert first.json()["errors"] == {"activities": {"0": {"start": ["Overlaps item 1."]}}}
    assert second.status_code == 400
    assert list(second.json()["errors"]) == ["activities"]
    assert not Shift.objects.exists()


def test_naive_instants_end_before_start_and_uncertified_projects_are_refused(pm_api, anna):
    other = ProjectFactory(code="other-line")
    other.managers.add(pm_api.user)
    cases = [
        (body(start="2026-10-06T09:00:00"), "start"),
        (body(end="2026-10-06T08:00:00+03:00", activities=[]), "end"),
        (body(project="other-line"), "project"),
        (body(project="ghost"), "project"),
        (body(operator="ghost"), "operator"),
    ]
    for payload, field in cases:
        response = pm_api.post(SHIFTS, payload, format="json")
        assert response.status_code == 400, payload
        assert field in response.json()["errors"], response.json()
    assert not Shift.objects.exists()


def test_a_second_shift_overlapping_is_a_409_naming_start(pm_api, anna):
    first = pm_api.post(SHIFTS, body(), format="json").json()

    response = pm_api.post(
        SHIFTS,
        body(start="2026-10-06T17:00:00+03:00", end="2026-10-06T20:00:00+03:00", activities=[]),
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["errors"] == {"start": [f"Overlaps the operator's shift {first['id']}."]}


def test_put_and_patch_replace_the_activities_whole(pm_api, anna):
    shift_id = pm_api.post(SHIFTS, body(), format="json").json()["id"]
    meeting = {
        "kind": "meeting",
        "start": "2026-10-06T09:00:00+03:00",
        "end": "2026-10-06T09:30:00+03:00",
    }

    patched = pm_api.patch(f"{SHIFTS}{shift_id}/", {"activities": [meeting]}, format="json")
    assert patched.status_code == 200
    assert [a["kind"] for a in patched.json()["activities"]] == ["meeting"]

    # A PATCH of the end alone keeps the activities; one that would cut one off is a 400.
    cut = pm_api.patch(
        f"{SHIFTS}{shift_id}/", {"start": "2026-10-06T09:15:00+03:00"}, format="json"
    )
    assert cut.status_code == 400
    assert "activities" in cut.json()["errors"]

    put = pm_api.put(
        f"{SHIFTS}{shift_id}/", body(activities=None) | {"activities": []}, format="json"
    )
    assert put.status_code == 200
    assert put.json()["activities"] == []
    assert not ShiftActivity.objects.exists()

    assert pm_api.delete(f"{SHIFTS}{shift_id}/").status_code == 204
    assert not Shift.objects.exists()


def test_the_database_keeps_activities_inside_their_shift(anna):
    shift = ShiftFactory(operator=anna)
    with pytest.raises(IntegrityError), transaction.atomic():
        ShiftActivity.objects.create(
            shift=shift,
            kind="break",
            starts_at=shift.ends_at,
            ends_at=shift.ends_at + dt.timedelta(minutes=5),
        )
    ShiftActivity.objects.create(
        shift=shift,
        kind="break",
        starts_at=shift.starts_at,
        ends_at=shift.starts_at + dt.timedelta(minutes=15),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Shift.objects.filter(pk=shift.pk).update(
            starts_at=shift.starts_at + dt.timedelta(minutes=5)
        )


def test_shifts_of_another_clients_project_are_hidden_from_a_pm(pm_api, anna):
    theirs = ProjectFactory(code="their-line")
    CertificationFactory(operator=anna, project=theirs)
    hidden = ShiftFactory(operator=anna, project=theirs)
    pool = ShiftFactory(operator=anna, starts_at=hidden.ends_at + dt.timedelta(hours=12))

    listed = pm_api.get(SHIFTS).json()["results"]

    assert [row["id"] for row in listed] == [pool.pk]
    assert pm_api.get(f"{SHIFTS}{hidden.pk}/").status_code == 404
    assert (
        pm_api.patch(f"{SHIFTS}{pool.pk}/", {"project": "their-line"}, format="json").status_code
        == 400
    )


def test_staff_without_a_project_read_and_integrations_are_refused(anna, integration_api):
    lead = _client_for(UserFactory(username="lead", is_staff=True))
    ShiftFactory(operator=anna)

    assert lead.get(SHIFTS).status_code == 200
    assert lead.post(SHIFTS, body(project=None), format="json").status_code == 403
    assert integration_api.get(SHIFTS).status_code == 403
    assert integration_api.get(ABSENCES).status_code == 403


def test_absences_are_local_days(pm_api, anna):
    response = pm_api.post(
        ABSENCES,
        {
            "operator": "anna",
            "kind": "vacation",
            "first_day": "2026-10-05",
            "last_day": "2026-10-09",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    absence = Absence.objects.get()
    assert (absence.starts_on, absence.ends_on) == (dt.date(2026, 10, 5), dt.date(2026, 10, 9))
    assert response.json() == {
        "id": absence.pk,
        "operator": "anna",
        "kind": "vacation",
        "first_day": "2026-10-05",
        "last_day": "2026-10-09",
        "note": "",
    }
    listed = pm_api.get(ABSENCES, {"day": "2026-10-09"}).json()["results"]
    assert [row["id"] for row in listed] == [absence.pk]
    assert pm_api.get(ABSENCES, {"day": "2026-10-10"}).json()["results"] == []


def test_bad_absences_are_refused(pm_api, anna):
    AbsenceFactory(operator=anna, starts_on=dt.date(2026, 11, 1), ends_on=dt.date(2026, 11, 3))
    cases = [
        ({"first_day": "2026-10-09", "last_day": "2026-10-05"}, 400, "last_day"),
        ({"first_day": "1999-12-31", "last_day": "2026-10-05"}, 400, "first_day"),
        ({"first_day": "2026-10-01", "last_day": "2026-10-01", "kind": "party"}, 400, "kind"),
        ({"first_day": "2026-11-03", "last_day": "2026-11-05"}, 409, "first_day"),
    ]
    for extra, status, field in cases:
        payload = {"operator": "anna", "kind": "sick", **extra}
        response = pm_api.post(ABSENCES, payload, format="json")
        assert response.status_code == status, (extra, response.content)
        assert field in response.json()["errors"]
    assert Absence.objects.count() == 1


def test_an_absence_is_moved_and_deleted(pm_api, anna):
    absence = AbsenceFactory(operator=anna)

    moved = pm_api.patch(f"{ABSENCES}{absence.pk}/", {"last_day": "2026-10-12"}, format="json")

    assert moved.status_code == 200
    assert moved.json()["last_day"] == "2026-10-12"
    assert pm_api.delete(f"{ABSENCES}{absence.pk}/").status_code == 204
    assert not Absence.objects.exists()


def admin_shift_form(operator, activity_start, activity_end):
    return {
        "operator": operator.pk,
        "project": "",
        "starts_at_0": "2026-10-06",
        "starts_at_1": "09:00:00",
        "ends_at_0": "2026-10-06",
        "ends_at_1": "18:00:00",
        "note": "",
        "activities-TOTAL_FORMS": "1",
        "activities-INITIAL_FORMS": "0",
        "activities-MIN_NUM_FORMS": "0",
        "activities-MAX_NUM_FORMS": "1000",
        "activities-0-kind": "lunch",
        "activities-0-starts_at_0": "2026-10-06",
        "activities-0-starts_at_1": activity_start,
        "activities-0-ends_at_0": "2026-10-06",
        "activities-0-ends_at_1": activity_end,
    }


def test_the_admin_adds_a_shift_with_its_activities_inside_only(admin_client, anna):
    url = "/admin/agents/shift/add/"

    refused = admin_client.post(url, admin_shift_form(anna, "17:30:00", "18:30:00"))
    assert refused.status_code == 200
    assert "Activities must lie inside the shift" in refused.content.decode()
    assert not Shift.objects.exists()

    added = admin_client.post(url, admin_shift_form(anna, "13:00:00", "14:00:00"))
    assert added.status_code == 302
    shift = Shift.objects.get()
    # A pool shift is entered in the center's local time (Moscow, UTC+3), stored in UTC.
    assert (shift.starts_at, shift.ends_at) == (
        dt.datetime(2026, 10, 6, 6, tzinfo=dt.UTC),
        dt.datetime(2026, 10, 6, 15, tzinfo=dt.UTC),
    )
    assert [(a.kind, a.starts_at.hour, a.ends_at.hour) for a in shift.activities.all()] == [
        ("lunch", 10, 11)
    ]


def test_the_admin_adds_a_project_shift_in_the_projects_local_time(admin_client, anna):
    berlin = ProjectFactory(code="berlin-line", timezone="Europe/Berlin")
    form = {**admin_shift_form(anna, "13:00:00", "14:00:00"), "project": berlin.pk}

    page = admin_client.get("/admin/agents/shift/add/").content.decode()
    added = admin_client.post("/admin/agents/shift/add/", form)

    assert "Time zone: the project's; Europe/Moscow for a pool shift." in page
    assert added.status_code == 302
    shift = Shift.objects.get()
    assert (shift.starts_at, shift.ends_at) == (  # 09:00-18:00 CEST (UTC+2)
        dt.datetime(2026, 10, 6, 7, tzinfo=dt.UTC),
        dt.datetime(2026, 10, 6, 16, tzinfo=dt.UTC),
    )
    assert [(a.starts_at.hour, a.ends_at.hour) for a in shift.activities.all()] == [(11, 12)]


def test_the_admin_hides_another_clients_project_shifts_from_a_pm(client, pm_api, anna):
    theirs = ProjectFactory(code="their-line")
    CertificationFactory(operator=anna, project=theirs)
    hidden = ShiftFactory(operator=anna, project=theirs)
    pool = ShiftFactory(operator=anna, starts_at=hidden.ends_at + dt.timedelta(hours=12))
    roles_setup()
    pm_api.user.groups.add(Group.objects.get(name=PROJECT_MANAGERS))
    client.force_login(pm_api.user)

    listing = client.get("/admin/agents/shift/")
    assert listing.status_code == 200
    assert f"/admin/agents/shift/{pool.pk}/change/" in listing.content.decode()
    assert "their-line" not in listing.content.decode()
    # Another client's project shift is answered as a missing one: back to the index.
    assert client.get(f"/admin/agents/shift/{hidden.pk}/change/").status_code == 302


def test_a_replacement_must_be_certified_for_the_shifts_project(anna, pm_project):
    other = ProjectFactory(code="other-line")
    CertificationFactory(operator=anna, project=other)
    pool_only = OperatorFactory(code="pool-only")
    CertificationFactory(operator=pool_only, project=other)
    both = OperatorFactory(code="both")
    CertificationFactory(operator=both, project=other)
    CertificationFactory(operator=both, project=pm_project)
    absence = AbsenceFactory(
        operator=anna, starts_on=dt.date(2026, 10, 6), ends_on=dt.date(2026, 10, 6)
    )
    ShiftFactory(
        operator=anna,
        project=pm_project,
        starts_at=dt.datetime(2026, 10, 6, 9, tzinfo=dt.UTC),
    )

    found = replacements.replacement_candidates(absence=absence)

    assert [candidate.operator.code for candidate in found] == ["both"]
