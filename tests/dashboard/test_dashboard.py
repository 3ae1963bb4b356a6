"""The KPI dashboard in the admin: who may open it, what it shows with nothing to show, and
that every number it draws (tile, bar, point) is the API's number, digit for digit."""

import datetime as dt
import json
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from calls import selectors
from dashboard.templatetags.kpi_charts import (
    RATIO,
    ChartSpec,
    Reference,
    Series,
    chart_layout,
    data_value,
    format_value,
    hour_categories,
    nice_ticks,
    time_categories,
)
from dashboard.views import as_api_json, bucket_count, local_range
from tests.factories import (
    T0,
    AgentStateEventFactory,
    CallFactory,
    OperatorFactory,
    ProjectFactory,
    UserFactory,
)

MOSCOW = ZoneInfo("Europe/Moscow")
DAY = dt.date(2026, 10, 5)  # T0 is 12:00 that day in Moscow
URL = "/admin/dashboard/"


class DataElements(HTMLParser):
    """The page's machine-readable parts: tiles by scope, chart marks by chart."""

    VOID = {"input", "br", "img", "meta", "link", "hr", "col", "source", "wbr", "area"}

    def __init__(self, html):
        super().__init__()
        self.stack, self.tiles, self.marks, self.options = [], {}, {}, []
        self.feed(html)

    def _context(self, name):
        return next((a[name] for _, a in reversed(self.stack) if name in a), None)

    def _element(self, tag, attrs):
        if "data-kpi" in attrs:
            self.tiles.setdefault(self._context("data-scope"), {})[attrs["data-kpi"]] = attrs
        if "data-series" in attrs and tag in ("rect", "circle"):
            chart = self.marks.setdefault(self._context("data-chart"), {})
            chart.setdefault(attrs["data-series"], []).append(attrs)
        if tag == "option" and self._context("name") == "project":
            self.options.append(attrs["value"])

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._element(tag, attrs)
        if tag not in self.VOID:
            self.stack.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self._element(tag, dict(attrs))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break


def values(marks):
    return [(m["data-start"], json.loads(m["data-value"])) for m in marks]


@pytest.fixture
def pm(db):
    return UserFactory(username="pm-olga", is_staff=True)


@pytest.fixture
def hotline(pm):
    project = ProjectFactory(code="hotline", name="Volga hotline", timezone="Europe/Moscow")
    project.managers.add(pm)
    return project


@pytest.fixture
def other_project(db):
    """A project the PM does not manage, with a call in the same hour."""
    project = ProjectFactory(code="foreign-line", name="Someone else's line")
    CallFactory(project=project, offered_at=T0)
    return project


@pytest.fixture
def hotline_calls(hotline):
    """Five calls at 12:00-13:59 Moscow and a shift of one operator, rolled up."""
    operator = OperatorFactory(code="op-anna")
    seconds = dt.timedelta(seconds=1)

    def call(offset_minutes, *, wait, answered=True, **fields):
        offered = T0 + dt.timedelta(minutes=offset_minutes)
        if not answered:
            fields.update(
                operator=None, answered_at=None, ended_at=offered + wait * seconds, hold_seconds=0
            )
        else:
            fields.update(operator=operator, answered_at=offered + wait * seconds)
        return CallFactory(project=hotline, offered_at=offered, **fields)

    call(1, wait=12)  # answered within 20 s
    call(5, wait=45)  # answered late
    call(9, wait=3, answered=False)  # a short abandon
    call(20, wait=60, answered=False)  # abandoned after the threshold
    call(75, wait=5)  # the next hour, within 20 s
    for state, at in (("ready", -60), ("break", 120), ("ready", 135), ("offline", 180)):
        AgentStateEventFactory(operator=operator, state=state, at=T0 + dt.timedelta(minutes=at))
    call_command("rollup_kpis")
    return hotline


def dashboard(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


# Who may open it


@pytest.mark.django_db
def test_the_admin_index_links_to_the_dashboard(client, pm):
    client.force_login(pm)
    response = client.get(reverse("admin:index"))
    assert f'href="{reverse("kpi_dashboard")}"' in response.text
    assert "KPI dashboard" in response.text


@pytest.mark.django_db
def test_anonymous_is_sent_to_the_login_form(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_a_user_who_is_not_staff_cannot_open_it(client):
    client.force_login(UserFactory(username="crm-bot", is_staff=False))
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_pm_picks_only_the_projects_they_manage(client, pm, hotline, other_project):
    page = DataElements(dashboard(client, pm).text)
    assert page.options == ["hotline"]


def test_a_superuser_picks_any_project(client, hotline, other_project):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    assert DataElements(dashboard(client, root).text).options == ["foreign-line", "hotline"]


def test_another_managers_project_is_not_shown(client, pm, hotline, other_project):
    response = dashboard(client, pm, project="foreign-line", date_from=DAY, date_to=DAY)
    assert "Select a valid choice" in response.text
    assert "Someone else" not in response.text
    assert DataElements(response.text).tiles == {}


def test_a_pm_with_no_projects_is_told_so(client, db):
    user = UserFactory(username="new-pm", is_staff=True)
    response = dashboard(client, user)
    assert 'data-empty="no-projects"' in response.text
    assert "kpi-svg" not in response.text


# Defaults and validation


def test_the_default_is_the_last_three_local_days_hourly(client, pm, hotline):
    form = dashboard(client, pm).context["form"]
    today = dt.datetime.now(MOSCOW).date()
    assert form.cleaned_data["project"] == hotline
    assert form.cleaned_data["date_from"] == today - dt.timedelta(days=3)
    assert form.cleaned_data["date_to"] == today - dt.timedelta(days=1)
    assert form.cleaned_data["granularity"] == "hour"


def test_to_before_from_is_refused(client, pm, hotline):
    response = dashboard(
        client, pm, project="hotline", date_from="2026-10-06", date_to="2026-10-05"
    )
    assert "&#x27;To&#x27; is before &#x27;From&#x27;." in response.text
    assert 'data-kpi="' not in response.text


def test_too_many_intervals_for_a_chart_are_refused(client, pm, hotline):
    response = dashboard(
        client,
        pm,
        project="hotline",
        date_from="2026-09-01",
        date_to="2026-10-31",
        granularity="15min",
    )
    assert "5856 intervals are too many for one chart (at most 800)" in response.text


def test_peak_hours_over_more_than_a_year_are_refused_alone(client, pm, hotline_calls):
    response = dashboard(
        client,
        pm,
        project="hotline",
        date_from="2025-01-01",
        date_to="2026-10-31",
        granularity="month",
    )
    page = DataElements(response.text)
    assert 'data-empty="peaks-range"' in response.text
    assert "A range spans at most 366 days." in response.text
    assert json.loads(page.tiles["project"]["offered"]["data-value"]) == 5
    assert len(page.marks["volume"]["offered"]) == 22  # Jan 2025 to Oct 2026, monthly


def test_bucket_count_of_local_days():
    assert bucket_count(DAY, DAY, "15min") == 96
    assert bucket_count(DAY, DAY + dt.timedelta(days=2), "hour") == 72
    assert bucket_count(dt.date(2025, 11, 30), dt.date(2026, 2, 1), "month") == 4


def test_the_range_is_whole_local_days():
    start, end = local_range(DAY, DAY, MOSCOW)
    assert start == dt.datetime(2026, 10, 4, 21, 0, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 10, 5, 21, 0, tzinfo=dt.UTC)


# With nothing to show


def test_no_calls_says_so_instead_of_a_chart(client, pm, hotline):
    response = dashboard(client, pm, project="hotline", date_from=DAY, date_to=DAY)
    page = DataElements(response.text)
    assert 'data-empty="project"' in response.text
    assert "No calls in this range." in response.text
    assert not {"service_level", "volume", "abandon_rate", "asa_seconds"} & set(page.marks)
    assert json.loads(page.tiles["project"]["offered"]["data-value"]) == 0
    assert json.loads(page.tiles["project"]["service_level"]["data-value"]) is None


# The numbers drawn


def test_tiles_show_the_totals_of_the_api(client, pm, hotline_calls):
    response = dashboard(client, pm, project="hotline", date_from=DAY, date_to=DAY)
    tiles = DataElements(response.text).tiles["project"]
    start, end = local_range(DAY, DAY, MOSCOW)
    totals = as_api_json(
        selectors.project_kpis(project=hotline_calls, start=start, end=end, granularity="hour")
    )["totals"]
    drawn = {kpi: json.loads(tile["data-value"]) for kpi, tile in tiles.items()}
    assert drawn == {kpi: totals[kpi] for kpi in drawn}
    # And by hand: 5 offered, 1 short abandon, 2 of 4 within 20 s, 1 of 4 abandoned.
    assert drawn["offered"] == 5
    assert drawn["answered"] == 3
    assert drawn["service_level"] == 0.5
    assert drawn["abandon_rate"] == 0.25
    assert drawn["asa_seconds"] == pytest.approx((12 + 45 + 5) / 3)


def test_every_bucket_is_drawn_with_the_api_value(client, pm, hotline_calls):
    response = dashboard(client, pm, project="hotline", date_from=DAY, date_to=DAY)
    marks = DataElements(response.text).marks
    start, end = local_range(DAY, DAY, MOSCOW)
    buckets = as_api_json(
        selectors.project_kpis(project=hotline_calls, start=start, end=end, granularity="hour")
    )["buckets"]
    assert buckets, "the API returns buckets for the day"
    for chart, series in [
        ("service_level", "service_level"),
        ("volume", "offered"),
        ("volume", "answered"),
        ("abandon_rate", "abandon_rate"),
        ("asa_seconds", "asa_seconds"),
    ]:
        assert values(marks[chart][series]) == [(b["start"], b[series]) for b in buckets]
    noon = next(b for b in buckets if b["offered"] == 4)
    assert noon["start"] == "2026-10-05T12:00:00+03:00"


def test_the_pool_and_peak_hours_are_the_apis(client, pm, hotline_calls, other_project):
    response = dashboard(client, pm, project="hotline", date_from=DAY, date_to=DAY)
    page = DataElements(response.text)
    assert "foreign-line" not in page.marks["peak_hours"]
    assert set(page.marks["peak_hours"]) == {"pool", "hotline"}
    assert sum(v for _, v in values(page.marks["peak_hours"]["hotline"])) == 5
    assert values(page.marks["peak_hours"]["hotline"])[12] == ("12", 4)  # 12:00 local
    occupancy = page.marks["pool_occupancy"]["occupancy"]
    assert occupancy, "the pool has staffed time that day"
    assert json.loads(page.tiles["pool"]["staffed_seconds"]["data-value"]) > 0


# The SVG layout, without a database


def test_nice_ticks():
    assert nice_ticks(1) == [0, 0.2, 0.4, 0.6, 0.8, 1]
    assert nice_ticks(0.13) == [0, 0.05, 0.1, 0.15]
    assert nice_ticks(67, integer=True) == [0, 20, 40, 60, 80]
    assert nice_ticks(3, integer=True) == [0, 1, 2, 3]
    assert nice_ticks(0) == [0, 0.2, 0.4, 0.6, 0.8, 1]


def test_data_value_is_the_api_json():
    assert data_value(None) == "null"
    assert data_value(0.8190476190476191) == "0.8190476190476191"
    assert data_value(12) == "12"
    assert data_value("2026-10-05T09:00:00Z") == "2026-10-05T09:00:00Z"


def test_format_value():
    assert format_value(0.81905, RATIO) == "81.9%"
    assert format_value(None, RATIO) == "—"
    assert format_value(12.3456, "seconds") == "12.3 s"
    assert format_value(1274, "calls") == "1\u202f274"


def test_a_null_is_a_gap_in_the_line_and_a_bar_of_nothing():
    categories = hour_categories()[:4]
    spec = ChartSpec(
        key="k",
        unit=RATIO,
        categories=categories,
        series=[
            Series("sl", "SL", "line", [0.5, None, 0.8, 0.9], "sl"),
            Series("n", "N", "bar", [0.1, None, 0, 0.2], "offered"),
        ],
        references=[Reference("Target", 0.8)],
        y_min_top=1,
    )
    layout = chart_layout(spec)
    assert [p["value"] for p in layout["points"]] == ["0.5", "null", "0.8", "0.9"]
    assert [p["r"] > 0 for p in layout["points"]] == [True, False, True, True]
    # One segment of two points; the lone first point stands as a dot only.
    assert layout["lines"][0]["d"].count("M") == 1
    assert [b["height"] for b in layout["bars"]][1] == 0
    assert layout["references"][0]["value"] == "0.8"
    assert layout["y_ticks"][-1]["label"] == "100%"


def test_time_labels_are_local_and_mark_midnight():
    starts = [f"2026-10-04T{h:02d}:00:00Z" for h in range(18, 24)]
    categories = time_categories(starts, tz=MOSCOW, granularity="hour")
    assert categories[0].title == "Sun 4 Oct 21:00"
    midnight = categories[3]
    assert midnight.boundary
    assert midnight.label == "Mon 5 Oct"
