"""The scheduling page: a PM (not a superuser) builds a week for two projects from the
forecast, reviews the roster, coverage and shortfall, edits, publishes and republishes;
other staff are kept out. Through the real views with the test client."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from agents.models import Shift, ShiftActivity
from tests.factories import ProjectFactory, UserFactory
from tests.workforce.schedule_world import WEEK, schedule_world
from workforce.models import ScheduleWeek

pytestmark = pytest.mark.django_db

DAY = range(36, 72)  # 09:00-18:00 local, as quarter hours of a day


@pytest.fixture
def world():
    return schedule_world()


def _build(client, world):
    return client.post(
        reverse("schedule_builder"),
        {
            "projects": [world["alpha"].pk, world["beta"].pk],
            "week": WEEK.isoformat(),
            "shrinkage": "0.3",
            "max_occupancy": "0.85",
        },
    )


def _expected_requirement():
    return [2 if index % 96 in DAY else 0 for index in range(672)]


def test_a_pm_builds_reviews_and_publishes_a_week_for_two_projects(client, world):
    client.force_login(world["pm"])
    form = client.get(reverse("schedule_builder")).content.decode()
    assert f'value="{world["alpha"].pk}"' in form
    assert f'value="{world["beta"].pk}"' in form

    built = _build(client, world)

    week = ScheduleWeek.objects.get()
    assert (built.status_code, built.url) == (302, reverse("schedule_week", args=[week.pk]))
    # The requirement is the forecast's, through Erlang C and shrinkage: 2 from 09:00 to 18:00.
    assert week.requirements == {"alpha": _expected_requirement(), "beta": _expected_requirement()}
    assert (week.scope, week.version, week.status, week.timezone) == (
        "alpha,beta",
        1,
        "draft",
        "Europe/Moscow",
    )
    rows = list(week.shifts.select_related("operator", "project"))
    per_project = {
        code: sorted(r.operator.code for r in rows if r.project.code == code)
        for code in ("alpha", "beta")
    }
    assert len(per_project["alpha"]) == 14  # the fewest paid hours that cover alpha
    assert per_project["beta"] == ["beta-1"] * 5 + ["beta-2"] * 5  # 40 hours each, no more
    # Beta's operators keep their preferred days off: Saturday and Sunday.
    beta_days = {
        r.starts_at.astimezone(dt.timezone(dt.timedelta(hours=3))).weekday()
        for r in rows
        if r.project.code == "beta"
    }
    assert beta_days == {0, 1, 2, 3, 4}
    # Every shift is 09:00-18:00 Moscow with an hour's lunch near the middle, staggered by
    # 15 minutes among the day's four shifts: 13:00, 13:15, 12:45, 13:30 Moscow.
    assert {(r.starts_at.hour, r.ends_at.hour) for r in rows} == {(6, 15)}
    assert {r.lunch_starts_at.strftime("%H:%M") for r in rows} == {
        "09:45",
        "10:00",
        "10:15",
        "10:30",
    }

    page = client.get(built.url).content.decode()
    assert page.count('class="coverage-chart"') == 2
    # Alpha is covered; beta is short two agents all day Saturday and Sunday.
    hours = re.findall(
        r'data-project="(\w+)" data-required-hours="([\d.]+)" '
        r'data-scheduled-hours="([\d.]+)" data-short-hours="([\d.]+)"',
        page,
    )
    assert hours == [("alpha", "126.0", "126.0", "0.0"), ("beta", "126.0", "90.0", "36.0")]
    shortfall = re.findall(r'data-project="(\w+)" data-date="([\d-]+)" data-short="(\d+)"', page)
    assert shortfall == [("beta", "2026-11-07", "72"), ("beta", "2026-11-08", "72")]
    # The roster in local time: an operator per row, a shift per day, lunch named.
    assert re.search(r'data-project="alpha">09:00–18:00 alpha<br><small>обед|lunch', page)
    assert page.count('class="shift"') == 24

    published = client.post(reverse("schedule_publish", args=[week.pk]))

    assert published.status_code == 302
    week.refresh_from_db()
    assert (week.status, week.published_by) == ("published", world["pm"])
    assert Shift.objects.count() == 24
    assert ShiftActivity.objects.filter(kind="lunch").count() == 24
    assert set(Shift.objects.values_list("project__code", flat=True)) == {"alpha", "beta"}
    assert not week.shifts.filter(shift=None).exists()


def test_republishing_shows_what_changed_for_whom(client, world):
    client.force_login(world["pm"])
    _build(client, world)
    first = ScheduleWeek.objects.get()
    client.post(reverse("schedule_publish", args=[first.pk]))
    client.post(reverse("schedule_copy", args=[first.pk]))
    draft = ScheduleWeek.objects.get(version=2)
    moved = draft.shifts.filter(operator__code="beta-1").order_by("starts_at").first()
    dropped = draft.shifts.filter(operator__code="beta-2").order_by("starts_at").first()

    client.post(
        reverse("schedule_shift", args=[draft.pk, moved.pk]),
        {"action": "move", "day": "5", "start_time": "10:00"},
    )
    client.post(reverse("schedule_shift", args=[draft.pk, dropped.pk]), {"action": "delete"})
    client.post(reverse("schedule_publish", args=[draft.pk]))

    first.refresh_from_db()
    draft.refresh_from_db()
    assert (first.status, draft.status) == ("superseded", "published")
    assert Shift.objects.count() == 23  # the first version's shifts replaced, one fewer
    assert Shift.objects.filter(operator__code="beta-1", starts_at__hour=7).count() == 1
    page = client.get(reverse("schedule_week", args=[draft.pk])).content.decode()
    changes = page[page.index('id="week-changes"') : page.index('id="coverage"')]
    old_day = moved.starts_at.astimezone(dt.timezone(dt.timedelta(hours=3)))
    assert re.findall(r'data-operator="([\w-]+)"', changes) == ["beta-1", "beta-2"]
    assert f"{old_day:%a %d.%m} 09:00–18:00 beta &rarr; Sat 07.11 10:00–19:00 beta" in changes
    assert 'class="removed"' in changes
    assert 'class="added"' not in changes


def test_a_move_breaking_the_rest_rule_is_refused(client, world):
    client.force_login(world["pm"])
    _build(client, world)
    week = ScheduleWeek.objects.get()
    monday = week.shifts.filter(operator__code="beta-1").order_by("starts_at").first()

    # Tuesday 09:00 is taken by beta-1 already: the Monday shift cannot move onto it.
    answer = client.post(
        reverse("schedule_shift", args=[week.pk, monday.pk]),
        {"action": "move", "day": "1", "start_time": "02:00"},
        follow=True,
    )

    assert "less than 12 hours apart" in answer.content.decode()
    monday.refresh_from_db()
    assert monday.starts_at.hour == 6


def test_only_managers_of_every_project_of_the_week_reach_it(client, world):
    client.force_login(world["pm"])
    _build(client, world)
    week = ScheduleWeek.objects.get()
    alpha_only = UserFactory(username="alpha-pm", is_staff=True)
    world["alpha"].managers.add(alpha_only)
    evaluator = UserFactory(username="alpha-qa", is_staff=True)
    world["alpha"].qa_evaluators.add(evaluator)
    other = ProjectFactory(code="other")

    client.force_login(evaluator)
    assert client.get(reverse("schedule_builder")).status_code == 403
    assert client.get(reverse("schedule_week", args=[week.pk])).status_code == 403

    client.force_login(alpha_only)
    assert client.get(reverse("schedule_week", args=[week.pk])).status_code == 404
    assert client.post(reverse("schedule_publish", args=[week.pk])).status_code == 404
    refused = client.post(
        reverse("schedule_builder"),
        {
            "projects": [other.pk],
            "week": WEEK.isoformat(),
            "shrinkage": "0.3",
            "max_occupancy": "1",
        },
    )
    assert refused.status_code == 200
    assert "projects" in refused.context["form"].errors
    assert ScheduleWeek.objects.count() == 1
    week.refresh_from_db()
    assert week.status == "draft"
