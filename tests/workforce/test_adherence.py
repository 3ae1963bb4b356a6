"""Schedule adherence against a day written out here (docs/adherence.md).

The day, Moscow time (+03:00), Tuesday 2026-10-06, project ``pm-hotline``:

    shift 09:00-18:00, lunch planned 13:00-14:00
    09:07 ready (7 minutes late)     10:00-10:05 a call answered
    11:00 break (unplanned, 25 min)  11:25 ready
    13:00 break (lunch)              14:20 ready (20 minutes long)
    17:40 offline (20 minutes early)

scheduled 9 h = 32,400 s. In adherence: working 09:07-11:00 (6,780) + 11:25-13:00 (5,700)
+ 14:20-17:40 (12,000) and on break through the lunch 13:00-14:00 (3,600) = 28,080;
adherence 28,080 / 32,400 = 0.8667. Worked 09:07-17:40 = 30,780; conformance 0.95.
"""

import datetime as dt

import pytest
from django.test import override_settings

from agents.models import AgentStateEvent
from tests.factories import (
    AgentStateEventFactory,
    CallFactory,
    CertificationFactory,
    OperatorFactory,
    ShiftFactory,
    UserFactory,
)
from workforce import adherence

MSK = dt.timezone(dt.timedelta(hours=3))
DAY = dt.date(2026, 10, 6)


def at(hour, minute=0):
    return dt.datetime(2026, 10, 6, hour, minute, tzinfo=MSK)


def utc(hour, minute=0):
    """The API's answer: instants in UTC, 'Z'."""
    return at(hour, minute).astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


EXPECTED_EXCEPTIONS = [
    ("late_login", (9, 0), (9, 7), 420),
    ("unscheduled_break", (11, 0), (11, 25), 1500),
    ("long_break", (14, 0), (14, 20), 1200),
    ("early_logout", (17, 40), (18, 0), 1200),
]


# --- The arithmetic alone ------------------------------------------------------------------


def the_day():
    shift = adherence.PlannedShift(
        start=at(9), end=at(18), activities=(adherence.Activity("lunch", at(13), at(14)),)
    )
    events = [
        (at(9, 7), "ready", ""),
        (at(11), "break", ""),
        (at(11, 25), "ready", ""),
        (at(13), "break", "lunch"),
        (at(14, 20), "ready", ""),
        (at(17, 40), "offline", ""),
    ]
    timeline = adherence.timeline_from_events(events, [(at(10), at(10, 5))], end=at(18))
    return shift, timeline


def test_the_written_day_to_the_second():
    shift, timeline = the_day()

    result = adherence.shift_adherence(shift, timeline).as_dict()

    assert result["scheduled_seconds"] == 32_400
    assert result["in_adherence_seconds"] == 28_080
    assert result["adherence"] == 0.8667
    assert result["worked_seconds"] == 30_780
    assert result["conformance"] == 0.95
    assert [(e["kind"], e["start"], e["end"], e["seconds"]) for e in result["exceptions"]] == [
        (kind, at(*start), at(*end), seconds) for kind, start, end, seconds in EXPECTED_EXCEPTIONS
    ]


def test_thresholds_hide_the_small_exceptions():
    shift, timeline = the_day()
    limits = adherence.Thresholds(
        late_login=420, early_logout=1199, long_break=1200, unscheduled_break=1500
    )

    result = adherence.shift_adherence(shift, timeline, limits)

    # Exactly at the threshold is not above it: only the early logout (1,200 > 1,199) stays.
    assert [e["kind"] for e in result.exceptions] == ["early_logout"]
    assert result.in_adherence_seconds == 28_080


def test_no_login_at_all_is_absent_and_zero():
    shift, _ = the_day()

    result = adherence.shift_adherence(shift, []).as_dict()

    assert (result["in_adherence_seconds"], result["worked_seconds"]) == (0, 0)
    assert (result["adherence"], result["conformance"]) == (0.0, 0.0)
    assert result["exceptions"] == [
        {"kind": "absent", "start": at(9), "end": at(18), "seconds": 32_400}
    ]


def test_training_is_kept_on_break_with_the_training_reason_only():
    shift = adherence.PlannedShift(
        start=at(9), end=at(11), activities=(adherence.Activity("training", at(10), at(11)),)
    )
    events = [(at(9), "ready", ""), (at(10), "break", "training")]
    kept = adherence.timeline_from_events(events, [], end=at(11))
    other = adherence.timeline_from_events(
        [(at(9), "ready", ""), (at(10), "break", "lunch")], [], end=at(11)
    )
    working = adherence.timeline_from_events([(at(9), "ready", "")], [], end=at(11))

    assert adherence.shift_adherence(shift, kept).in_adherence_seconds == 7200
    assert adherence.shift_adherence(shift, other).in_adherence_seconds == 3600
    assert adherence.shift_adherence(shift, working).in_adherence_seconds == 3600


def test_a_call_during_a_break_counts_as_on_a_call():
    shift = adherence.PlannedShift(start=at(9), end=at(10))
    timeline = adherence.timeline_from_events(
        [(at(9), "break", "")], [(at(9, 10), at(9, 20))], end=at(10)
    )

    result = adherence.shift_adherence(shift, timeline)

    assert result.in_adherence_seconds == 600
    assert result.worked_seconds == 3600
    # The break is cut in two by the call: 10 and 40 minutes, both unscheduled.
    assert [(e["kind"], e["seconds"]) for e in result.exceptions] == [
        ("unscheduled_break", 600),
        ("unscheduled_break", 2400),
    ]


# --- Through the database and the API ------------------------------------------------------


@pytest.fixture
def written_day(pm_project):
    operator = OperatorFactory(code="anna")
    CertificationFactory(operator=operator, project=pm_project)
    shift = ShiftFactory(operator=operator, project=pm_project, starts_at=at(9), ends_at=at(18))
    shift.activities.create(kind="lunch", starts_at=at(13), ends_at=at(14))
    # The evening before: logged off; the state carries into the shift until 09:07.
    AgentStateEventFactory(operator=operator, state="offline", at=at(9) - dt.timedelta(hours=15))
    for moment, state, reason in [
        (at(9, 7), "ready", ""),
        (at(11), "break", ""),
        (at(11, 25), "ready", ""),
        (at(13), "break", "lunch"),
        (at(14, 20), "ready", ""),
        (at(17, 40), "offline", ""),
    ]:
        AgentStateEventFactory(operator=operator, state=state, at=moment, reason=reason)
    CallFactory(
        project=pm_project,
        operator=operator,
        offered_at=at(10) - dt.timedelta(seconds=12),
        answered_at=at(10),
        ended_at=at(10, 5),
    )
    # A second operator with a shift and no login at all that day.
    idle = OperatorFactory(code="boris")
    ShiftFactory(operator=idle, starts_at=at(10), ends_at=at(12))  # a pool shift
    return operator


@pytest.mark.django_db
def test_the_operator_endpoint_answers_the_written_day(pm_api, written_day):
    response = pm_api.get("/api/v1/operators/anna/adherence/", {"date": "2026-10-06"})

    assert response.status_code == 200, response.content
    assert response.json() == {
        "operator": "anna",
        "date": "2026-10-06",
        "scheduled_seconds": 32_400,
        "in_adherence_seconds": 28_080,
        "adherence": 0.8667,
        "worked_seconds": 30_780,
        "conformance": 0.95,
        "exceptions": [
            {"kind": kind, "start": utc(*start), "end": utc(*end), "seconds": seconds}
            for kind, start, end, seconds in EXPECTED_EXCEPTIONS
        ],
    }


@pytest.mark.django_db
@override_settings(ADHERENCE_LATE_LOGIN_SECONDS=600, ADHERENCE_UNSCHEDULED_BREAK_SECONDS=1800)
def test_the_center_sets_the_thresholds(pm_api, written_day):
    response = pm_api.get("/api/v1/operators/anna/adherence/", {"date": "2026-10-06"})

    assert [e["kind"] for e in response.json()["exceptions"]] == ["long_break", "early_logout"]


@pytest.mark.django_db
def test_the_pool_lists_every_operator_with_a_shift(pm_api, written_day):
    response = pm_api.get("/api/v1/pool/adherence/", {"date": "2026-10-06"})

    assert response.status_code == 200
    rows = response.json()["operators"]
    assert [row["operator"] for row in rows] == ["anna", "boris"]
    assert rows[0]["in_adherence_seconds"] == 28_080
    assert {key: rows[1][key] for key in ("scheduled_seconds", "adherence", "exceptions")} == {
        "scheduled_seconds": 7200,
        "adherence": 0.0,
        "exceptions": [{"kind": "absent", "start": utc(10), "end": utc(12), "seconds": 7200}],
    }


@pytest.mark.django_db
def test_another_day_schedules_nothing(pm_api, written_day):
    response = pm_api.get("/api/v1/operators/anna/adherence/", {"date": "2026-10-07"})

    assert response.json()["scheduled_seconds"] == 0
    assert response.json()["adherence"] is None
    assert pm_api.get("/api/v1/pool/adherence/", {"date": "2026-10-07"}).json()["operators"] == []


@pytest.mark.django_db
def test_a_bad_date_is_a_400_naming_it(pm_api, written_day):
    response = pm_api.get("/api/v1/operators/anna/adherence/", {"date": "2026-13-01"})

    assert response.status_code == 400
    assert "date" in response.json()["errors"]


@pytest.mark.django_db
def test_integrations_are_refused(integration_api, written_day):
    assert integration_api.get("/api/v1/pool/adherence/").status_code == 403
    assert integration_api.get("/api/v1/operators/anna/adherence/").status_code == 403


@pytest.mark.django_db
def test_the_admin_page_shows_the_day(client, written_day):
    client.force_login(UserFactory(username="lead", is_staff=True))

    response = client.get("/admin/adherence/", {"date": "2026-10-06"})

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-operator="anna" data-adherence="0.8667"' in page
    assert 'data-operator="boris" data-adherence="0.0"' in page
    assert "unscheduled_break" in page
    assert AgentStateEvent.objects.count() == 7  # the page wrote nothing
    index = client.get("/admin/").content.decode()
    assert 'href="/admin/adherence/" id="adherence-report-link"' in index
    assert 'href="/admin/intraday/" id="intraday-report-link"' in index


def test_wrap_is_working_time_and_a_lunch_reason_outside_a_lunch_is_unscheduled():
    shift = adherence.PlannedShift(start=at(9), end=at(10))
    events = [(at(9), "ready", ""), (at(9, 20), "wrap", ""), (at(9, 30), "break", "lunch")]
    timeline = adherence.timeline_from_events(events, [], end=at(10))

    result = adherence.shift_adherence(shift, timeline)

    assert (result.in_adherence_seconds, result.worked_seconds) == (1800, 3600)
    assert [(e["kind"], e["seconds"]) for e in result.exceptions] == [("unscheduled_break", 1800)]
