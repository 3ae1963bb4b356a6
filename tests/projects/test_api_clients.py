"""clients/: CRUD by code, the vat_rate shortcut, and who sees and changes which client."""

import datetime as dt
from decimal import Decimal

import pytest

from projects.models import Client, VatRate
from tests.factories import ClientFactory, ProjectFactory, VatRateFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/clients/"


def detail(code):
    return f"{URL}{code}/"


@pytest.fixture
def acme():
    client = ClientFactory(
        code="acme",
        legal_name="OOO Acme",
        tax_id="7701234560",
        kpp="770101001",
        billing_email="billing@acme.example",
    )
    VatRateFactory(client=client, valid_from=dt.date(2000, 1, 1), rate=Decimal("0.2000"))
    VatRateFactory(client=client, valid_from=dt.date(2026, 1, 1), rate=Decimal("0.2200"))
    ProjectFactory(client=client, code="acme-hotline")
    ProjectFactory(client=client, code="acme-sales")
    return client


ACME = {
    "code": "acme",
    "legal_name": "OOO Acme",
    "tax_id": "7701234560",
    "kpp": "770101001",
    "address": "",
    "billing_email": "billing@acme.example",
    "currency": "RUB",
    "vat_included": False,
    "ogrn": "",
    "seller": "main",
    "contract_number": "",
    "contract_date": None,
    "payment_terms_days": 10,
    "is_active": True,
    "vat_rates": [
        {"valid_from": "2026-01-01", "rate": "0.2200"},
        {"valid_from": "2000-01-01", "rate": "0.2000"},
    ],
    "projects": ["acme-hotline", "acme-sales"],
}


class TestRead:
    def test_unauthenticated_request_is_401(self, anon_api, acme):
        response = anon_api.get(URL)

        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"

    def test_admin_lists_every_client_by_code(self, admin_api, acme):
        ClientFactory(code="zeta")

        response = admin_api.get(URL)

        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 2
        assert [c["code"] for c in body["results"]] == ["acme", "zeta"]
        assert body["results"][0] == ACME

    def test_retrieve_by_code_shows_rates_newest_first_and_project_codes(self, admin_api, acme):
        response = admin_api.get(detail("acme"))

        assert response.status_code == 200
        assert response.json() == ACME

    def test_unknown_code_is_404(self, admin_api):
        assert admin_api.get(detail("nobody")).status_code == 404


class TestCreate:
    def test_admin_creates_a_client_with_a_vat_rate_from_the_beginning_of_time(self, admin_api):
        response = admin_api.post(
            URL,
            {"code": "beta", "legal_name": "OOO Beta", "vat_rate": "0.2", "vat_included": True},
        )

        assert response.status_code == 201
        assert response.json() == {
            "code": "beta",
            "legal_name": "OOO Beta",
            "tax_id": "",
            "kpp": "",
            "address": "",
            "billing_email": "",
            "currency": "RUB",
            "vat_included": True,
            "ogrn": "",
            "seller": None,
            "contract_number": "",
            "contract_date": None,
            "payment_terms_days": 10,
            "is_active": True,
            "vat_rates": [{"valid_from": "2000-01-01", "rate": "0.2000"}],
            "projects": [],
        }
        client = Client.objects.get(code="beta")
        assert list(client.vat_rates.values_list("valid_from", "rate")) == [
            (dt.date(2000, 1, 1), Decimal("0.2000"))
        ]

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("code", "Bad Code"),
            ("tax_id", "12345"),
            ("kpp", "77"),
            ("currency", "rub"),
            ("billing_email", "not-an-email"),
            ("vat_rate", "1.5"),
            ("vat_rate", "-0.1"),
        ],
    )
    def test_bad_input_is_400_naming_the_field_and_stores_nothing(self, admin_api, field, value):
        response = admin_api.post(URL, {"code": "beta", "legal_name": "OOO Beta", field: value})

        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "invalid"
        assert list(body["errors"]) == [field]
        assert not Client.objects.exists()
        assert not VatRate.objects.exists()

    def test_taken_code_is_400_naming_code(self, admin_api, acme):
        response = admin_api.post(URL, {"code": "acme", "legal_name": "Another"})

        assert response.status_code == 400
        assert response.json()["errors"] == {"code": ["A client with this code already exists."]}
        assert Client.objects.count() == 1


class TestUpdate:
    def test_patch_vat_rate_replaces_the_beginning_of_time_rate_only(self, admin_api, acme):
        response = admin_api.patch(detail("acme"), {"vat_rate": "0.1000"})

        assert response.status_code == 200
        assert response.json()["vat_rates"] == [
            {"valid_from": "2026-01-01", "rate": "0.2200"},
            {"valid_from": "2000-01-01", "rate": "0.1000"},
        ]
        assert VatRate.objects.filter(client=acme).count() == 2

    def test_put_replaces_the_fields(self, admin_api, acme):
        response = admin_api.put(
            detail("acme"),
            {
                "code": "acme",
                "legal_name": "AO Acme",
                "currency": "EUR",
                "vat_included": True,
                "is_active": False,
            },
        )

        assert response.status_code == 200
        acme.refresh_from_db()
        assert (acme.legal_name, acme.currency, acme.vat_included, acme.is_active) == (
            "AO Acme",
            "EUR",
            True,
            False,
        )
        assert acme.tax_id == "7701234560"  # not sent: unchanged (optional field)

    def test_bad_patch_is_400_and_changes_nothing(self, admin_api, acme):
        response = admin_api.patch(detail("acme"), {"legal_name": "New", "kpp": "1"})

        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["kpp"]
        acme.refresh_from_db()
        assert acme.legal_name == "OOO Acme"


class TestDelete:
    def test_a_client_with_projects_is_a_409(self, admin_api, acme):
        response = admin_api.delete(detail("acme"))

        assert response.status_code == 409
        assert response.json()["code"] == "conflict"
        assert Client.objects.filter(code="acme").exists()

    def test_a_client_without_projects_is_deleted(self, admin_api):
        ClientFactory(code="empty")

        assert admin_api.delete(detail("empty")).status_code == 204
        assert not Client.objects.filter(code="empty").exists()


class TestProjectManager:
    def test_sees_only_clients_of_managed_projects_and_only_managed_project_codes(
        self, pm_api, pm_project, acme
    ):
        ProjectFactory(client=pm_project.client, code="pm-other")

        response = pm_api.get(URL)

        assert response.status_code == 200
        results = response.json()["results"]
        assert [c["code"] for c in results] == [pm_project.client.code]
        assert results[0]["projects"] == ["pm-hotline"]

    def test_another_client_is_404(self, pm_api, acme):
        assert pm_api.get(detail("acme")).status_code == 404
        assert pm_api.patch(detail("acme"), {"legal_name": "Mine"}).status_code == 404
        acme.refresh_from_db()
        assert acme.legal_name == "OOO Acme"

    def test_edits_the_client_of_a_managed_project_but_not_its_billing_fields(
        self, pm_api, pm_project
    ):
        response = pm_api.patch(detail(pm_project.client.code), {"is_active": False})
        billing = pm_api.patch(detail(pm_project.client.code), {"billing_email": "a@b.example"})

        assert response.status_code == 200
        assert billing.status_code == 403
        assert list(billing.json()["errors"]) == ["billing_email"]
        pm_project.client.refresh_from_db()
        assert (pm_project.client.is_active, pm_project.client.billing_email) == (False, "")

    def test_may_not_create_or_delete_clients(self, pm_api, pm_project):
        assert pm_api.post(URL, {"code": "new", "legal_name": "New"}).status_code == 403
        assert pm_api.delete(detail(pm_project.client.code)).status_code == 403
        assert not Client.objects.filter(code="new").exists()


class TestIntegration:
    def test_sees_only_its_own_client(self, integration_api, integration_client, acme):
        response = integration_api.get(URL)

        assert [c["code"] for c in response.json()["results"]] == ["integrated"]
        assert integration_api.get(detail("acme")).status_code == 404

    def test_may_not_change_clients(self, integration_api, integration_client):
        response = integration_api.patch(detail("integrated"), {"legal_name": "Hacked"})

        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert integration_api.post(URL, {"code": "x", "legal_name": "X"}).status_code == 403
        integration_client.refresh_from_db()
        assert integration_client.legal_name != "Hacked"
