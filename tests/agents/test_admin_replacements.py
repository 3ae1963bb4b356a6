"""The Absence change page lists replacements with an Assign button per shift."""

import datetime as dt

import pytest
from django.urls import reverse

from agents.models import Shift
from tests.factories import AbsenceFactory, CertificationFactory, OperatorFactory, ShiftFactory

pytestmark = pytest.mark.django_db

TUESDAY = dt.date(2026, 10, 13)


def test_the_change_page_lists_candidates_and_assign_moves_the_shift(admin_client):
    absent, spare = OperatorFactory(code="absent"), OperatorFactory(code="spare")
    certification = CertificationFactory(operator=absent)
    CertificationFactory(operator=spare, project=certification.project)
    absence = AbsenceFactory(operator=absent, starts_on=TUESDAY, ends_on=TUESDAY)
    shift = ShiftFactory(
        operator=absent, starts_at=dt.datetime.combine(TUESDAY, dt.time(9), tzinfo=dt.UTC)
    )

    page = admin_client.get(reverse("admin:agents_absence_change", args=[absence.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Replacements" in html
    assert "spare (" in html
    assert f'form="assign-{shift.pk}-spare"' in html

    response = admin_client.post(
        reverse("admin:agents_absence_assign", args=[absence.pk]),
        {"shift": shift.pk, "operator": "spare"},
    )

    assert response.status_code == 302
    assert Shift.objects.get(pk=shift.pk).operator == spare


def test_the_change_page_lists_who_is_not_offered_and_why(admin_client):
    absent, busy = OperatorFactory(code="absent"), OperatorFactory(code="busy", full_name="Busy B")
    certification = CertificationFactory(operator=absent)
    CertificationFactory(operator=busy, project=certification.project)
    absence = AbsenceFactory(operator=absent, starts_on=TUESDAY, ends_on=TUESDAY)
    start = dt.datetime.combine(TUESDAY, dt.time(9), tzinfo=dt.UTC)
    ShiftFactory(operator=absent, starts_at=start)
    ShiftFactory(operator=busy, starts_at=start + dt.timedelta(hours=2))

    html = admin_client.get(reverse("admin:agents_absence_change", args=[absence.pk])).content
    html = html.decode()

    assert "Not offered" in html
    assert "<li>busy (Busy B): Already works then.</li>" in html
    assert "<li>absent (" in html
