"""The client portal as a client's people use it: log in, see only their own client's
projects, never the admin; the service of a month in exact numbers against the targets,
the missed interval's calls; the abandoned calls with their "called back" mark; and every
export equal to the page's table."""

import csv
import io

import openpyxl
import pytest
from django.core.management import call_command

from calls.models import Call
from contactcenter.csv_safety import FORMULA_TRIGGERS
from portal.models import CallbackMark
from tests.portal.world import build_world, html_tables, logged_in

pytestmark = pytest.mark.django_db

OCTOBER = {"period": "month", "date": "2026-10-15"}
OCTOBER_RANGE = {"date_from": "2026-10-01", "date_to": "2026-10-31"}


@pytest.fixture
def world():
    world = build_world()
    call_command("rollup_kpis", verbosity=0)
    return world


def _csv_rows(response):
    """The CSV's rows as a program reads them (docs/exports.md, "Safe CSV"): one leading
    ``'`` before a formula trigger, such as the ``+`` of a number, is the writer's guard."""
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    return [[_unguarded(cell) for cell in row] for row in rows]


def _unguarded(cell):
    if cell[:1] == "'" and cell[1:2] in FORMULA_TRIGGERS:
        return cell[1:]
    return cell


def test_a_viewer_logs_in_sees_its_two_projects_and_never_the_admin(client, world):
    logged_in(client, "alfa-viewer")

    page = client.get("/portal/service/", OCTOBER)

    assert page.status_code == 200
    summary = html_tables(page)["service"]
    assert [row[0] for row in summary["rows"]] == ["Alfa hotline", "Alfa sales"]
    body = page.content.decode()
    assert "Beta line" not in body
    assert "beta" not in body.lower()
    # The admin refuses a client user: to its login page, where the password fails too.
    admin = client.get("/admin/")
    assert admin.status_code == 302
    assert admin["Location"].startswith("/admin/login/")
    assert client.get("/admin/projects/client/").status_code == 302
    client.logout()
    refused = client.post(
        "/admin/login/", {"username": "alfa-viewer", "password": "portal-Secret-42"}
    )
    assert refused.status_code == 200  # the form again, with the staff-account error
    assert client.get("/admin/").status_code == 302


def test_the_service_of_october_against_the_targets_in_exact_numbers(client, world):
    logged_in(client, "alfa-viewer")

    page = client.get("/portal/service/", OCTOBER)

    tables = html_tables(page)
    assert tables["service"]["head"] == [
        "Project",
        "Offered",
        "Answered",
        "Abandoned (after the short-abandon time)",
        "Service level",
        "Target",
        "Service level verdict",
        "Abandon rate",
        "Abandon target (at most)",
        "Abandon verdict",
        "ASA, s",
        "Missed intervals",
    ]
    # Hotline: 6 offered, 1 short abandon; 3 of 5 within 20 s; 1 of 5 abandoned after the
    # short time; ASA (10 + 30 + 5 + 15) / 4 = 15 s. Sales: 1 of 2 within 20 s.
    assert tables["service"]["rows"] == [
        ["Alfa hotline", "6", "4", "1", "60.0%", "80.0%", "missed", "20.0%", "5.0%", "missed", "15", "1"],  # noqa: E501
        ["Alfa sales", "2", "1", "1", "50.0%", "80.0%", "missed", "50.0%", "5.0%", "missed", "12", "1"],  # noqa: E501
    ]  # fmt: skip
    assert tables["missed-intervals"]["rows"] == [
        ["Alfa hotline", "2026-10-05 10:00:00 MSK", "4", "1", "33.3%", "80.0%"],
        ["Alfa sales", "2026-10-07 15:00:00 MSK", "1", "0", "0.0%", "80.0%"],
    ]


def test_a_day_and_a_week_are_their_own_periods(client, world):
    logged_in(client, "alfa-viewer")

    day = html_tables(client.get("/portal/service/", {"period": "day", "date": "2026-10-05"}))
    week = html_tables(client.get("/portal/service/", {"period": "week", "date": "2026-10-07"}))

    assert [row[:5] for row in day["service"]["rows"]] == [
        ["Alfa hotline", "6", "4", "1", "60.0%"],
        ["Alfa sales", "0", "0", "0", "—"],
    ]
    assert [row[:5] for row in week["service"]["rows"]] == [
        ["Alfa hotline", "6", "4", "1", "60.0%"],
        ["Alfa sales", "2", "1", "1", "50.0%"],
    ]


def test_a_missed_interval_opens_its_calls(client, world):
    logged_in(client, "alfa-viewer")
    page = client.get("/portal/service/", OCTOBER)
    link = page.content.decode().split('href="/portal/service/alfa-hotline/interval/')[1]
    link = "/portal/service/alfa-hotline/interval/" + link.split('"')[0].replace("&amp;", "&")

    calls = html_tables(client.get(link))["interval-calls"]["rows"]

    assert [(row[0], row[2], row[3], row[4]) for row in calls] == [
        ("2026-10-05 10:01:00 MSK", "+74951234567", "answered", "10"),
        ("2026-10-05 10:03:00 MSK", "+74951234567", "answered", "30"),
        ("2026-10-05 10:05:00 MSK", "+79011112233", "abandoned", "40"),
        ("2026-10-05 10:07:00 MSK", "+79010000003", "abandoned", "3"),
    ]
    # B's project, and a start that is no interval's: 404 and 400.
    foreign = "/portal/service/beta-line/interval/?start=2026-10-05T10:00:00%2B03:00"
    assert client.get(foreign).status_code == 404
    odd = "/portal/service/alfa-hotline/interval/?start=2026-10-05T10:07:00%2B03:00"
    assert client.get(odd).status_code == 400


def test_the_abandoned_calls_export_holds_exactly_the_pages_rows(client, world):
    logged_in(client, "alfa-viewer")

    page = client.get("/portal/abandoned/", OCTOBER_RANGE)
    exported = client.get("/portal/abandoned/", {**OCTOBER_RANGE, "export": "csv"})
    workbook = client.get("/portal/abandoned/", {**OCTOBER_RANGE, "export": "xlsx"})

    shown = html_tables(page)["abandoned"]
    assert shown["rows"] == [
        ["2026-10-05 10:05:00 MSK", "Alfa hotline", "+79011112233", "40", ""],
        ["2026-10-07 15:00:00 MSK", "Alfa sales", "+79015556677", "25", ""],
    ]
    assert b"'+79011112233" in exported.content  # the number reaches a spreadsheet as text
    assert _csv_rows(exported) == [shown["head"], *shown["rows"]]
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).active
    cells = [
        ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
    ]
    assert cells == [shown["head"], *shown["rows"]]


def test_called_back_is_marked_once_and_only_on_our_calls(client, world):
    logged_in(client, "alfa-viewer")
    ours, theirs = world["calls"]["abandoned"], world["calls"]["foreign"]

    first = client.post(f"/portal/abandoned/{ours.pk}/called-back/")
    again = client.post(f"/portal/abandoned/{ours.pk}/called-back/")
    foreign = client.post(f"/portal/abandoned/{theirs.pk}/called-back/")

    assert (first.status_code, again.status_code, foreign.status_code) == (302, 302, 404)
    assert list(CallbackMark.objects.values_list("call_id", flat=True)) == [ours.pk]
    rows = html_tables(client.get("/portal/abandoned/", OCTOBER_RANGE))["abandoned"]["rows"]
    assert rows[0][4].startswith("2026-")
    assert rows[1][4] == ""
    assert client.get(f"/portal/abandoned/{ours.pk}/called-back/").status_code == 405


def test_the_call_search_and_its_bounds(client, world):
    logged_in(client, "alfa-viewer")

    found = client.get("/portal/calls/", {**OCTOBER_RANGE, "number": "901", "outcome": "abandoned"})
    too_long = client.get("/portal/calls/", {"date_from": "2026-09-01", "date_to": "2026-10-31"})
    theirs = client.get("/portal/calls/", {**OCTOBER_RANGE, "project": "beta-line"})

    assert [row[2] for row in html_tables(found)["calls"]["rows"]] == [
        "+79011112233",
        "+79010000003",
        "+79015556677",
    ]
    assert too_long.status_code == 400
    assert 'data-field="date_to"' in too_long.content.decode()
    assert theirs.status_code == 400
    assert 'data-field="project"' in theirs.content.decode()


def test_the_call_detail_plays_a_recording_only_where_the_client_allows(client, world):
    logged_in(client, "alfa-viewer")
    call = world["calls"]["in_time"]
    Call.objects.filter(pk=call.pk).update(recording_url="https://rec.example/1.mp3")

    hidden = client.get(f"/portal/calls/{call.pk}/")
    world["alfa"].portal_show_recordings = True
    world["alfa"].save()
    shown = client.get(f"/portal/calls/{call.pk}/")

    assert hidden.status_code == shown.status_code == 200
    assert "rec.example" not in hidden.content.decode()
    assert 'src="https://rec.example/1.mp3"' in shown.content.decode()
    assert client.get(f"/portal/calls/{world['calls']['foreign'].pk}/").status_code == 404


def test_qa_is_hidden_when_the_client_hides_it(client, world):
    logged_in(client, "alfa-viewer")
    assert client.get("/portal/quality/", {"year": 2026}).status_code == 200
    world["alfa"].portal_show_quality = False
    world["alfa"].save()

    assert client.get("/portal/quality/").status_code == 404
    assert "/portal/quality/" not in client.get("/portal/service/").content.decode()


def test_money_is_for_the_accountant(client, world):
    logged_in(client, "alfa-viewer")
    assert client.get("/portal/invoices/").status_code == 403
    assert client.get("/portal/reconciliation/").status_code == 403


def test_the_service_page_in_russian(client, world):
    logged_in(client, "alfa-viewer")

    page = client.get("/portal/service/", OCTOBER, HTTP_ACCEPT_LANGUAGE="ru")

    text = page.content.decode()
    assert "Уровень обслуживания" in text
    rows = html_tables(page)["service"]["rows"]
    assert rows[0][4:7] == ["60,0\xa0%", "80,0\xa0%", "не выполнено"]


def test_staff_get_a_403_from_the_portal(client, world, admin_user):
    client.force_login(admin_user)
    assert client.get("/portal/service/").status_code == 403
    client.logout()
    assert client.get("/portal/service/")["Location"].startswith("/portal/login/")


def test_a_refused_export_names_its_field(client, world):
    logged_in(client, "alfa-viewer")
    response = client.get("/portal/service/", {"export": "pdf"})
    assert response.status_code == 400
    assert 'data-field="export"' in response.content.decode()


def test_today_is_the_default_period(client, world):
    logged_in(client, "alfa-viewer")
    assert client.get("/portal/service/").status_code == 200
    assert client.get("/portal/abandoned/").status_code == 200
