"""Agents in Russian and in local time: shifts read in their zone with the zone named,
absences are local days, the status page and the API's refusals in Russian (issue 16)."""

import datetime as dt

import pytest
from django.urls import reverse

from agents import replacements
from tests.factories import (
    AbsenceFactory,
    CertificationFactory,
    OperatorFactory,
    ProjectFactory,
    ShiftFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LATE = dt.datetime(2026, 11, 17, 22, 30, tzinfo=dt.UTC)  # 18 Nov 01:30 in Moscow


@pytest.fixture
def root(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    client.cookies["django_language"] = "ru"
    return client


@pytest.fixture
def hotline():
    return ProjectFactory(code="hotline", timezone="Europe/Moscow")


@pytest.fixture
def late_shift(hotline):
    anna = OperatorFactory(code="anna", full_name="Петрова Анна")
    CertificationFactory(operator=anna, project=hotline)
    return ShiftFactory(
        operator=anna, project=hotline, starts_at=LATE, ends_at=LATE + dt.timedelta(hours=8)
    )


def test_the_shifts_list_reads_the_shift_in_its_projects_zone_named(root, late_shift):
    yekaterinburg = ProjectFactory(code="ural", timezone="Asia/Yekaterinburg")
    CertificationFactory(operator=late_shift.operator, project=yekaterinburg)
    ural = ShiftFactory(
        operator=late_shift.operator,
        project=yekaterinburg,
        starts_at=LATE + dt.timedelta(days=1),
        ends_at=LATE + dt.timedelta(days=1, hours=6),
    )

    body = root.get(reverse("admin:agents_shift_changelist")).content.decode()

    assert '<td class="field-starts_local">18.11.2026 01:30:00 MSK</td>' in body
    assert '<td class="field-ends_local">18.11.2026 09:30:00 MSK</td>' in body
    assert '<td class="field-starts_local">19.11.2026 03:30:00 +05:00</td>' in body
    assert ural.pk in [
        row.pk
        for row in root.get(reverse("admin:agents_shift_changelist")).context["cl"].result_list
    ]


def test_the_shift_page_shows_and_reads_its_times_in_its_zone(root, late_shift):
    url = reverse("admin:agents_shift_change", args=[late_shift.pk])

    body = root.get(url).content.decode()

    assert 'name="starts_at_0" value="18.11.2026"' in body
    assert 'name="starts_at_1" value="01:30:00"' in body
    assert "Часовой пояс: Europe/Moscow." in body


def test_a_pool_shift_reads_in_the_centers_zone(root, settings, late_shift):
    settings.CENTER_TIME_ZONE = "Asia/Novosibirsk"
    pool = ShiftFactory(
        operator=OperatorFactory(code="pool"),
        starts_at=LATE,
        ends_at=LATE + dt.timedelta(hours=4),
    )

    body = root.get(reverse("admin:agents_shift_change", args=[pool.pk])).content.decode()

    assert 'name="starts_at_1" value="05:30:00"' in body  # 22:30 UTC + 7
    assert "Часовой пояс: Asia/Novosibirsk." in body


def test_an_absence_is_local_days_and_its_page_reads_the_shift_locally(root, late_shift):
    spare = OperatorFactory(code="spare", full_name="Смирнов Иван")
    CertificationFactory(operator=spare, project=late_shift.project)
    # 22:30 UTC on the 17th is the 18th in Moscow: an absence of the 18th covers it, one
    # of the 17th does not.
    on_17th = AbsenceFactory(
        operator=late_shift.operator, starts_on=dt.date(2026, 11, 16), ends_on=dt.date(2026, 11, 17)
    )
    assert replacements.absence_shifts(on_17th) == []
    on_17th.delete()
    on_18th = AbsenceFactory(
        operator=late_shift.operator, starts_on=dt.date(2026, 11, 18), ends_on=dt.date(2026, 11, 18)
    )

    body = root.get(reverse("admin:agents_absence_change", args=[on_18th.pk])).content.decode()

    assert replacements.absence_shifts(on_18th) == [late_shift]
    assert "<td>18.11.2026 01:30:00 MSK – 18.11.2026 09:30:00 MSK</td>" in body
    assert "Замены" in body
    assert "spare (Смирнов Иван):" in body
    assert "1 общий проект, уровень 2" in body
    assert "Назначить" in body


def test_assigning_the_replacement_says_so_in_russian_in_local_time(root, late_shift):
    spare = OperatorFactory(code="spare")
    CertificationFactory(operator=spare, project=late_shift.project)
    absence = AbsenceFactory(
        operator=late_shift.operator, starts_on=dt.date(2026, 11, 18), ends_on=dt.date(2026, 11, 18)
    )

    done = root.post(
        reverse("admin:agents_absence_assign", args=[absence.pk]),
        {"shift": late_shift.pk, "operator": "spare"},
        follow=True,
    )

    assert "Смену с 18.11.2026 01:30:00 MSK теперь работает spare." in done.content.decode()
    late_shift.refresh_from_db()
    assert late_shift.operator == spare
    assert late_shift.note == "Замена за anna"


def test_the_operators_list_reads_the_hourly_cost_in_roubles(root):
    OperatorFactory(code="anna", hourly_cost="1450.50")

    body = root.get(reverse("admin:agents_operator_changelist")).content.decode()

    assert '<td class="field-cost">1\xa0450,50\xa0₽</td>' in body


def test_the_status_page_reads_russian(root):
    anna = OperatorFactory(code="anna", full_name="Петрова Анна", status="candidate", hired_on=None)

    body = root.get(reverse("admin:agents_operator_status", args=[anna.pk])).content.decode()

    assert "Смена статуса: anna (Петрова Анна)" in body
    assert '<strong id="current-status">Кандидат</strong>' in body
    assert "Допустимые переходы: <code>На обучении</code>" in body
    assert 'value="Записать переход"' in body
    assert "Record the move" not in body


def test_a_refused_shift_is_explained_in_russian_naming_the_field(admin_api, late_shift):
    row = {
        "operator": "anna",
        "project": "hotline",
        "start": "2026-11-20T18:00:00+03:00",
        "end": "2026-11-20T09:00:00+03:00",
    }

    russian = admin_api.post("/api/v1/shifts/", row, format="json", HTTP_ACCEPT_LANGUAGE="ru")
    english = admin_api.post("/api/v1/shifts/", row, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert russian.status_code == english.status_code == 400
    assert russian.json()["detail"] == "Неверная смена."
    assert russian.json()["errors"] == {"end": ["Должно быть позже начала."]}
    assert english.json()["errors"] == {"end": ["Must be after start."]}
