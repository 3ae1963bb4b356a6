"""The admin of operators, certifications, shifts, absences and state events."""

import datetime as dt

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agents.models import Absence, AgentStateEvent, Certification, Operator, Shift
from projects.models import Project
from tests.admin_pages import changelist, page, rows
from tests.factories import (
    T0,
    AbsenceFactory,
    AgentStateEventFactory,
    CertificationFactory,
    OperatorFactory,
    ProjectFactory,
    ShiftFactory,
)

pytestmark = pytest.mark.django_db


def queries_of(admin_client, model):
    with CaptureQueriesContext(connection) as queries:
        changelist(admin_client, model)
    return len(queries)


def test_every_model_of_the_app_is_registered():
    for model in (Operator, Certification, Shift, Absence, AgentStateEvent):
        assert admin.site.is_registered(model)


@pytest.fixture
def anna(hotline):
    operator = OperatorFactory(code="anna", full_name="Anna Petrova")
    CertificationFactory(operator=operator, project=hotline)
    CertificationFactory(operator=operator, project=ProjectFactory(code="sales"))
    return operator


@pytest.fixture
def boris():
    return OperatorFactory(
        code="boris",
        full_name="Boris Ivanov",
        status=Operator.Status.TRAINING,
        hired_on=None,
    )


class TestOperatorAdmin:
    def test_changelist_shows_the_projects_an_operator_may_take(self, admin_client, anna, boris):
        response = changelist(admin_client, Operator)
        html = response.content.decode()
        assert rows(response) == [anna, boris]
        assert '<td class="field-certified_for">hotline, sales</td>' in html
        assert "In training" in html

    def test_search_by_name(self, admin_client, anna, boris):
        response = changelist(admin_client, Operator, q="Petrova")
        assert rows(response) == [anna]
        assert "Boris Ivanov" not in response.content.decode()

    def test_filter_by_status_and_by_certified_project(self, admin_client, anna, boris, hotline):
        assert rows(changelist(admin_client, Operator, status__exact="training")) == [boris]
        assert rows(changelist(admin_client, Operator, projects__id__exact=hotline.pk)) == [anna]

    def test_changelist_queries_do_not_grow_with_rows(self, admin_client, anna):
        changelist(admin_client, Operator)  # warm caches
        few = queries_of(admin_client, Operator)
        for operator in OperatorFactory.create_batch(10):
            CertificationFactory(operator=operator)
        assert queries_of(admin_client, Operator) == few

    def test_add_and_change_pages_load(self, admin_client, anna):
        assert page(admin_client, Operator, "add").status_code == 200
        response = page(admin_client, Operator, "change", anna.pk)
        assert response.status_code == 200
        assert 'name="certifications-1-level"' in response.content.decode()


class TestCertificationAdmin:
    def test_changelist_search_and_filter(self, admin_client, anna, boris, hotline):
        on_hotline = Certification.objects.get(operator=anna, project=hotline)
        sales = Project.objects.get(code="sales")
        boris_sales = CertificationFactory(
            operator=boris, project=sales, level=Certification.Level.JUNIOR
        )
        response = changelist(admin_client, Certification)
        assert len(rows(response)) == 3
        assert rows(changelist(admin_client, Certification, q="boris")) == [boris_sales]
        assert rows(changelist(admin_client, Certification, project__id__exact=hotline.pk)) == [
            on_hotline
        ]
        assert rows(changelist(admin_client, Certification, level__exact="1")) == [boris_sales]

    def test_changelist_queries_do_not_grow_with_rows(self, admin_client, anna):
        changelist(admin_client, Certification)
        few = queries_of(admin_client, Certification)
        CertificationFactory.create_batch(10)
        assert queries_of(admin_client, Certification) == few

    def test_add_and_change_pages_load(self, admin_client, anna):
        certification = anna.certifications.first()
        assert page(admin_client, Certification, "add").status_code == 200
        assert page(admin_client, Certification, "change", certification.pk).status_code == 200


class TestShiftAdmin:
    def test_changelist_shows_hours_and_searches_and_filters(
        self, admin_client, anna, boris, hotline
    ):
        morning = ShiftFactory(operator=anna, starts_at=T0, note="morning")
        late = ShiftFactory(
            operator=boris,
            starts_at=T0 + dt.timedelta(days=40),
            ends_at=T0 + dt.timedelta(days=40, hours=6),
        )
        response = changelist(admin_client, Shift)
        assert rows(response) == [morning, late]
        html = response.content.decode()
        assert '<td class="field-hours">8.0</td>' in html
        assert '<td class="field-hours">6.0</td>' in html
        assert rows(changelist(admin_client, Shift, q="boris")) == [late]
        in_hotline = {"operator__projects__id__exact": hotline.pk}
        assert rows(changelist(admin_client, Shift, **in_hotline)) == [morning]
        october = {"starts_at__year": "2026", "starts_at__month": "10"}
        assert rows(changelist(admin_client, Shift, **october)) == [morning]

    def test_add_and_change_pages_load(self, admin_client):
        shift = ShiftFactory()
        assert page(admin_client, Shift, "add").status_code == 200
        assert page(admin_client, Shift, "change", shift.pk).status_code == 200


class TestAbsenceAdmin:
    def test_changelist_shows_days_and_searches_and_filters(self, admin_client, anna, boris):
        sick = AbsenceFactory(operator=anna)
        vacation = AbsenceFactory(
            operator=boris,
            kind=Absence.Kind.VACATION,
            starts_on=dt.date(2026, 8, 3),
            ends_on=dt.date(2026, 8, 16),
        )
        response = changelist(admin_client, Absence)
        assert rows(response) == [sick, vacation]
        html = response.content.decode()
        assert '<td class="field-days">3</td>' in html
        assert '<td class="field-days">14</td>' in html
        assert rows(changelist(admin_client, Absence, q="Petrova")) == [sick]
        assert rows(changelist(admin_client, Absence, kind__exact="vacation")) == [vacation]
        august = {"starts_on__year": "2026", "starts_on__month": "8"}
        assert rows(changelist(admin_client, Absence, **august)) == [vacation]

    def test_add_and_change_pages_load(self, admin_client):
        absence = AbsenceFactory()
        assert page(admin_client, Absence, "add").status_code == 200
        assert page(admin_client, Absence, "change", absence.pk).status_code == 200


class TestAgentStateEventAdmin:
    @pytest.fixture
    def events(self, anna, boris):
        ready = AgentStateEventFactory(operator=anna, at=T0)
        lunch = AgentStateEventFactory(
            operator=boris,
            at=T0 + dt.timedelta(hours=3),
            state=AgentStateEvent.State.BREAK,
            reason="lunch",
        )
        return ready, lunch

    def test_changelist_search_and_filters(self, admin_client, events):
        ready, lunch = events
        response = changelist(admin_client, AgentStateEvent)
        assert rows(response) == [lunch, ready]
        assert '<td class="field-reason">lunch</td>' in response.content.decode()
        assert rows(changelist(admin_client, AgentStateEvent, q="anna")) == [ready]
        assert rows(changelist(admin_client, AgentStateEvent, state__exact="break")) == [lunch]
        one_day = {"at__year": "2026", "at__month": "10", "at__day": "5"}
        assert rows(changelist(admin_client, AgentStateEvent, **one_day)) == [lunch, ready]

    def test_changelist_queries_do_not_grow_with_rows(self, admin_client, events):
        changelist(admin_client, AgentStateEvent)
        few = queries_of(admin_client, AgentStateEvent)
        for minutes in range(1, 21):
            AgentStateEventFactory(at=T0 + dt.timedelta(minutes=minutes))
        assert queries_of(admin_client, AgentStateEvent) == few

    def test_changelist_does_not_count_the_whole_table_twice(self, admin_client, events):
        response = changelist(admin_client, AgentStateEvent, state__exact="break")
        assert response.context["cl"].full_result_count is None

    def test_add_and_change_pages_load_with_received_at_read_only(self, admin_client, events):
        ready, _ = events
        assert page(admin_client, AgentStateEvent, "add").status_code == 200
        html = page(admin_client, AgentStateEvent, "change", ready.pk).content.decode()
        assert 'name="state"' in html
        assert 'name="received_at' not in html
