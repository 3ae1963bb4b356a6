"""The admin of clients, VAT rates, projects and integrations, as a PM uses it."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.admin import percent
from projects.models import BusinessHours, Client, IntegrationAccount, Project, VatRate
from tests.admin_pages import changelist, page, rows
from tests.factories import (
    BusinessHoursFactory,
    ClientFactory,
    IntegrationAccountFactory,
    ProjectFactory,
    UserFactory,
    VatRateFactory,
)

pytestmark = pytest.mark.django_db


def test_every_model_of_the_app_is_registered():
    for model in (Client, VatRate, Project, BusinessHours, IntegrationAccount):
        assert admin.site.is_registered(model) == (model is not BusinessHours)


@pytest.mark.parametrize(
    ("fraction", "text"),
    [("0.2000", "20%"), ("0.1000", "10%"), ("0", "0%"), ("0.825", "82.5%"), ("1.000", "100%")],
)
def test_percent_reads_a_fraction_as_a_percentage(fraction, text):
    assert percent(Decimal(fraction)) == text


class TestClientAdmin:
    @pytest.fixture
    def clients(self):
        acme = ClientFactory(code="acme", legal_name="OOO Acme", tax_id="7701234560")
        globex = ClientFactory(
            code="globex", legal_name="AO Globex", tax_id="7809876549", vat_included=True
        )
        VatRateFactory(client=acme, rate=Decimal("0.2000"))
        ProjectFactory(client=acme, code="acme-hotline")
        return acme, globex

    def test_changelist_shows_current_vat_as_percent_and_project_count(self, admin_client, clients):
        response = changelist(admin_client, Client)
        html = response.content.decode()
        assert rows(response) == list(clients)
        assert '<td class="field-vat_rate_now">20%</td>' in html
        assert '<td class="field-project_count">1</td>' in html

    def test_current_vat_is_the_latest_rate_in_force(self, admin_client, clients):
        acme, _ = clients
        VatRateFactory(client=acme, valid_from="2026-01-01", rate=Decimal("0.2200"))
        VatRateFactory(client=acme, valid_from="2099-01-01", rate=Decimal("0.3000"))
        html = changelist(admin_client, Client).content.decode()
        assert '<td class="field-vat_rate_now">22%</td>' in html
        assert "30%" not in html

    def test_search_by_tax_id_and_by_name(self, admin_client, clients):
        acme, globex = clients
        assert rows(changelist(admin_client, Client, q="7809876549")) == [globex]
        assert rows(changelist(admin_client, Client, q="acme")) == [acme]
        assert ">globex</a>" not in changelist(admin_client, Client, q="acme").content.decode()

    def test_filter_by_vat_included(self, admin_client, clients):
        _, globex = clients
        assert rows(changelist(admin_client, Client, vat_included__exact="1")) == [globex]

    def test_add_and_change_pages_load_with_vat_rate_inline(self, admin_client, clients):
        acme, _ = clients
        assert page(admin_client, Client, "add").status_code == 200
        response = page(admin_client, Client, "change", acme.pk)
        assert response.status_code == 200
        assert 'name="vat_rates-0-rate"' in response.content.decode()


class TestVatRateAdmin:
    def test_changelist_search_and_filter(self, admin_client):
        acme = VatRateFactory(client__code="acme", rate=Decimal("0.2000"))
        other = VatRateFactory(client__code="other", rate=Decimal("0.1000"))
        response = changelist(admin_client, VatRate)
        assert rows(response) == [acme, other]
        assert '<td class="field-rate_percent">10%</td>' in response.content.decode()
        assert rows(changelist(admin_client, VatRate, q="other")) == [other]
        assert rows(changelist(admin_client, VatRate, client__id__exact=acme.client_id)) == [acme]

    def test_add_and_change_pages_load(self, admin_client):
        rate = VatRateFactory()
        assert page(admin_client, VatRate, "add").status_code == 200
        assert page(admin_client, VatRate, "change", rate.pk).status_code == 200


class TestProjectAdmin:
    @pytest.fixture
    def projects(self):
        hotline = ProjectFactory(code="hotline", name="Bank hotline", client__code="bank")
        reserve = ProjectFactory(
            code="night",
            name="Night reserve",
            client__code="shop",
            service_mode=Project.ServiceMode.RESERVE,
            sl_target=Decimal("0.825"),
            sl_threshold_seconds=30,
            is_active=False,
        )
        return hotline, reserve

    def test_changelist_shows_sl_target_with_threshold(self, admin_client, projects):
        response = changelist(admin_client, Project)
        html = response.content.decode()
        assert rows(response) == list(projects)
        assert '<td class="field-service_level_target">80% in 20 s</td>' in html
        assert '<td class="field-service_level_target">82.5% in 30 s</td>' in html
        assert "Reserve (outside the client&#x27;s own hours)" in html

    def test_search_by_code_name_and_client(self, admin_client, projects):
        hotline, reserve = projects
        assert rows(changelist(admin_client, Project, q="hotline")) == [hotline]
        assert rows(changelist(admin_client, Project, q="Night")) == [reserve]
        assert rows(changelist(admin_client, Project, q="shop")) == [reserve]

    def test_filters(self, admin_client, projects):
        hotline, reserve = projects
        assert rows(changelist(admin_client, Project, service_mode__exact="reserve")) == [reserve]
        assert rows(changelist(admin_client, Project, is_active__exact="1")) == [hotline]
        client_filter = {"client__id__exact": hotline.client_id}
        assert rows(changelist(admin_client, Project, **client_filter)) == [hotline]

    def test_changelist_queries_do_not_grow_with_rows(self, admin_client):
        def count():
            with CaptureQueriesContext(connection) as queries:
                changelist(admin_client, Project)
            return len(queries)

        ProjectFactory.create_batch(2)
        changelist(admin_client, Project)  # warm caches
        few = count()
        ProjectFactory.create_batch(10)
        assert count() == few

    def test_add_page_has_managers_picker(self, admin_client):
        html = page(admin_client, Project, "add").content.decode()
        assert 'name="managers"' in html
        assert "selectfilter" in html

    def test_change_page_shows_business_hours_inline(self, admin_client, projects):
        hotline, _ = projects
        BusinessHoursFactory(project=hotline)
        response = page(admin_client, Project, "change", hotline.pk)
        assert response.status_code == 200
        assert 'name="business_hours-0-opens" value="09:00:00"' in response.content.decode()


class TestIntegrationAccountAdmin:
    def test_changelist_search_and_filter(self, admin_client):
        crm = IntegrationAccountFactory(user=UserFactory(username="crm-bot"), client__code="bank")
        erp = IntegrationAccountFactory(user=UserFactory(username="erp-bot"), client__code="shop")
        assert rows(changelist(admin_client, IntegrationAccount)) == [crm, erp]
        response = changelist(admin_client, IntegrationAccount, q="erp-bot")
        assert rows(response) == [erp]
        assert "crm-bot" not in response.content.decode()
        only_bank = {"client__id__exact": crm.client_id}
        assert rows(changelist(admin_client, IntegrationAccount, **only_bank)) == [crm]

    def test_add_and_change_pages_load(self, admin_client):
        account = IntegrationAccountFactory()
        assert page(admin_client, IntegrationAccount, "add").status_code == 200
        assert page(admin_client, IntegrationAccount, "change", account.pk).status_code == 200
