"""The admin of contacts and calls: what a PM sees, and a changelist that scales."""

import datetime as dt
import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls.models import Call, Contact
from projects.admin import EstimatedCountPaginator
from tests.admin_pages import changelist, page, rows
from tests.factories import T0, CallFactory, ContactFactory, OperatorFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def readonly_value(html, field):
    found = re.search(rf'field-{field}".*?<div class="readonly">(.*?)</div>', html, re.DOTALL)
    return found.group(1)


def test_both_models_are_registered():
    assert admin.site.is_registered(Contact)
    assert admin.site.is_registered(Call)


class TestContactAdmin:
    @pytest.fixture
    def contacts(self):
        ivan = ContactFactory(project__code="bank", phone="+74951234567", name="Ivan")
        olga = ContactFactory(project__code="shop", phone="+78121234567", name="Olga")
        return ivan, olga

    def test_changelist_search_and_filter(self, admin_client, contacts):
        ivan, olga = contacts
        response = changelist(admin_client, Contact)
        assert rows(response) == [ivan, olga]
        assert f"?contact__id__exact={ivan.pk}" in response.content.decode()
        response = changelist(admin_client, Contact, q="+7812")
        assert rows(response) == [olga]
        assert "+74951234567" not in response.content.decode()
        only_bank = {"project__id__exact": ivan.project_id}
        assert rows(changelist(admin_client, Contact, **only_bank)) == [ivan]

    def test_the_calls_link_lists_the_contacts_calls(self, admin_client, contacts):
        ivan, _ = contacts
        own = CallFactory(project=ivan.project, contact=ivan)
        CallFactory(project=ivan.project)
        assert rows(changelist(admin_client, Call, contact__id__exact=ivan.pk)) == [own]

    def test_add_and_change_pages_load(self, admin_client, contacts):
        assert page(admin_client, Contact, "add").status_code == 200
        assert page(admin_client, Contact, "change", contacts[0].pk).status_code == 200


@pytest.fixture
def bank():
    return ProjectFactory(code="bank", timezone="Europe/Moscow")


@pytest.fixture
def anna():
    return OperatorFactory(code="anna", full_name="Anna Petrova")


@pytest.fixture
def calls(bank, anna):
    """An answered call, a short and a long abandon of ``bank``, and another project's call."""
    answered = CallFactory(project=bank, external_id="ans-1", operator=anna)
    short = CallFactory(
        project=bank,
        external_id="short-1",
        caller="+79161112233",
        operator=None,
        offered_at=T0 + dt.timedelta(minutes=1),
        answered_at=None,
        ended_at=T0 + dt.timedelta(minutes=1, seconds=3),
        hold_seconds=0,
        wrap_seconds=0,
    )
    long = CallFactory(
        project=bank,
        external_id="long-1",
        operator=None,
        offered_at=T0 + dt.timedelta(minutes=2),
        answered_at=None,
        ended_at=T0 + dt.timedelta(minutes=3),
        hold_seconds=0,
        wrap_seconds=0,
    )
    outbound = CallFactory(
        project__code="shop",
        external_id="out-1",
        direction=Call.Direction.OUTBOUND,
        offered_at=T0 + dt.timedelta(days=40),
    )
    return answered, short, long, outbound


class TestCallChangelist:
    def test_rows_show_outcome_and_derived_seconds(self, admin_client, calls):
        answered, short, long, outbound = calls
        response = changelist(admin_client, Call)
        assert rows(response) == [outbound, long, short, answered]
        html = response.content.decode()
        answered_row = html[html.index(">ans-1</a>") :].split("</tr>")[0]
        assert '<td class="field-outcome">answered</td>' in answered_row
        assert '<td class="field-wait_seconds">12</td>' in answered_row
        assert '<td class="field-talk_seconds">140</td>' in answered_row
        assert '<td class="field-handle_seconds">170</td>' in answered_row
        assert '<td class="field-offered_local">2026-10-05 12:00:00 MSK</td>' in answered_row
        assert "Anna Petrova" in answered_row
        assert '<td class="field-outcome">abandoned (short)</td>' in html
        assert '<td class="field-outcome">abandoned</td>' in html

    @pytest.mark.parametrize(
        ("outcome", "expected"),
        [
            ("answered", ["out-1", "ans-1"]),
            ("abandoned", ["long-1", "short-1"]),
            ("short_abandon", ["short-1"]),
        ],
    )
    def test_outcome_filter(self, admin_client, calls, outcome, expected):
        response = changelist(admin_client, Call, outcome=outcome)
        assert [call.external_id for call in rows(response)] == expected

    def test_direction_project_and_month_filters(self, admin_client, calls, bank):
        answered, short, long, outbound = calls
        assert rows(changelist(admin_client, Call, direction__exact="outbound")) == [outbound]
        in_bank = changelist(admin_client, Call, project__id__exact=bank.pk)
        assert rows(in_bank) == [long, short, answered]
        assert ">out-1</a>" not in in_bank.content.decode()
        october = {"offered_at__year": "2026", "offered_at__month": "10"}
        assert rows(changelist(admin_client, Call, **october)) == [long, short, answered]

    @pytest.mark.parametrize(
        ("term", "expected"),
        [
            ("short-1", ["short-1"]),
            ("+79161112233", ["short-1"]),
            ("79161112233", ["short-1"]),
            ("anna", ["ans-1"]),
            ("SHORT-1", []),
            ("short", []),
        ],
    )
    def test_search_matches_exact_external_id_caller_or_operator(
        self, admin_client, calls, term, expected
    ):
        response = changelist(admin_client, Call, q=term)
        assert [call.external_id for call in rows(response)] == expected

    def test_does_not_count_the_whole_table_twice(self, admin_client, calls):
        response = changelist(admin_client, Call, outcome="answered")
        assert response.context["cl"].full_result_count is None
        assert response.context["cl"].result_count == 2

    def test_query_count_does_not_grow_with_rows(self, admin_client, bank):
        def queries():
            with CaptureQueriesContext(connection) as captured:
                changelist(admin_client, Call)
            return len(captured)

        def add_calls(n):
            for _ in range(n):
                CallFactory(project=ProjectFactory(), contact=ContactFactory())

        add_calls(3)
        changelist(admin_client, Call)  # warm caches
        three = queries()
        add_calls(27)
        assert queries() == three


class TestEstimatedCountPaginator:
    def test_counts_an_unfiltered_big_table_from_statistics_and_filtered_exactly(
        self, monkeypatch, bank
    ):
        CallFactory.create_batch(3, project=bank)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE calls_call")
        CallFactory.create_batch(
            2, project=bank, operator=None, answered_at=None, hold_seconds=0, wrap_seconds=0
        )
        monkeypatch.setattr(EstimatedCountPaginator, "exact_below", 1)

        assert EstimatedCountPaginator(Call.objects.all(), 100).count == 3
        unanswered = Call.objects.filter(answered_at__isnull=True)
        assert EstimatedCountPaginator(unanswered, 100).count == 2

    def test_counts_a_small_table_exactly(self, bank):
        CallFactory.create_batch(3, project=bank)
        assert EstimatedCountPaginator(Call.objects.all(), 100).count == 3


class TestCallPages:
    def test_add_page_loads_without_derived_fields(self, admin_client):
        html = page(admin_client, Call, "add").content.decode()
        assert 'name="external_id"' in html
        assert "field-talk_seconds" not in html

    def test_change_page_shows_derived_seconds_read_only(self, admin_client, calls):
        response = page(admin_client, Call, "change", calls[0].pk)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'name="external_id"' in html
        assert 'name="talk_seconds"' not in html
        assert readonly_value(html, "wait_seconds") == "12"
        assert readonly_value(html, "talk_seconds") == "140"
        assert readonly_value(html, "handle_seconds") == "170"
        assert readonly_value(html, "outcome") == "answered"

    def test_a_call_added_through_the_admin_gets_its_seconds_from_the_database(
        self, admin_client, bank, anna
    ):
        form = {
            "project": bank.pk,
            "external_id": "manual-1",
            "direction": "inbound",
            "caller": "+74950000001",
            "operator": anna.pk,
            "offered_at_0": "2026-10-05",
            "offered_at_1": "09:00:00",
            "answered_at_0": "2026-10-05",
            "answered_at_1": "09:00:15",
            "ended_at_0": "2026-10-05",
            "ended_at_1": "09:02:15",
            "hold_seconds": "20",
            "wrap_seconds": "30",
        }
        response = admin_client.post(reverse("admin:calls_call_add"), form)
        assert response.status_code == 302
        call = Call.objects.get(external_id="manual-1")
        assert (call.wait_seconds, call.talk_seconds, call.handle_seconds) == (15, 100, 150)

    def test_an_invalid_call_is_refused(self, admin_client, bank, anna):
        form = {
            "project": bank.pk,
            "external_id": "manual-2",
            "direction": "inbound",
            "offered_at_0": "2026-10-05",
            "offered_at_1": "09:00:00",
            "ended_at_0": "2026-10-05",
            "ended_at_1": "09:01:00",
            "operator": anna.pk,
            "hold_seconds": "0",
            "wrap_seconds": "0",
        }
        response = admin_client.post(reverse("admin:calls_call_add"), form)
        assert response.status_code == 200
        assert response.context["adminform"].form.errors
        assert not Call.objects.filter(external_id="manual-2").exists()
