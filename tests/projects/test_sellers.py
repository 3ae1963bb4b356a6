"""Parties as data (issue 15): sellers at sellers/ and in the admin (superusers), the
client's seller, contract and payment terms, and the identifiers' control digits."""

import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.urls import reverse

from contactcenter.errors import DomainError
from projects.models import Client, Seller
from projects.selectors import client_seller
from tests.factories import MAIN_SELLER, ClientFactory, SellerFactory, main_seller

pytestmark = pytest.mark.django_db

URL = "/api/v1/sellers/"
CLIENTS = "/api/v1/clients/"

NEW_SELLER = {
    "code": "north",
    "name": "ООО «Север»",
    "inn": "7707083893",
    "kpp": "773601001",
    "ogrn": "1027700132195",
    "address": "117997, г. Москва, ул. Вавилова, д. 19",
    "bank": "ПАО Сбербанк",
    "bik": "044525225",
    "correspondent_account": "30101810400000000225",
    "account": "40702810938000000001",
    "director": "Сидоров С. С.",
    "chief_accountant": "Кузнецова Е. В.",
}


def seller_rows():
    return list(Seller.objects.order_by("code").values())


class TestSellersApi:
    def test_a_superuser_creates_reads_updates_and_deletes_a_seller(self, admin_api):
        created = admin_api.post(URL, NEW_SELLER, format="json")
        assert created.status_code == 201, created.json()
        assert created.json() == NEW_SELLER
        assert Seller.objects.filter(code="north").values("inn", "account").get() == {
            "inn": "7707083893",
            "account": "40702810938000000001",
        }
        assert admin_api.get(f"{URL}north/").json()["name"] == "ООО «Север»"

        renamed = admin_api.patch(f"{URL}north/", {"director": "Орлов О. О."}, format="json")
        assert renamed.status_code == 200
        assert Seller.objects.get(code="north").director == "Орлов О. О."

        assert admin_api.delete(f"{URL}north/").status_code == 204
        assert not Seller.objects.filter(code="north").exists()

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("inn", "7707083894"),
            ("inn", "77070838"),
            ("kpp", "7736010"),
            ("ogrn", "1027700132194"),
            ("bik", "144525225"),
            ("account", "40702810638000000001"),
            ("correspondent_account", "30101810500000000225"),
        ],
    )
    def test_a_wrong_identifier_is_a_400_naming_it_and_stores_nothing(
        self, admin_api, field, value
    ):
        before = seller_rows()
        response = admin_api.post(URL, {**NEW_SELLER, field: value}, format="json")

        assert response.status_code == 400
        assert list(response.json()["errors"]) == [field]
        assert seller_rows() == before

    def test_a_seller_named_by_a_client_cannot_be_deleted(self, admin_api):
        north = SellerFactory(code="north")
        ClientFactory(seller=north)
        assert admin_api.delete(f"{URL}north/").status_code == 409
        assert Seller.objects.filter(code="north").exists()

    def test_every_other_role_is_refused(self, pm_api, integration_api):
        main_seller()
        before = seller_rows()
        for api in (pm_api, integration_api):
            assert api.get(URL).status_code == 403
            assert api.get(f"{URL}main/").status_code == 403
            assert api.patch(f"{URL}main/", {"name": "X"}, format="json").status_code == 403
            assert api.post(URL, NEW_SELLER, format="json").status_code == 403
        assert seller_rows() == before


class TestSellerAdmin:
    def test_a_superuser_edits_it_and_a_bad_key_is_a_form_error(self, admin_client):
        seller = main_seller()
        url = reverse("admin:projects_seller_change", args=[seller.pk])
        form = {**MAIN_SELLER, "code": "main", "account": "40702810900000012345"}

        response = admin_client.post(url, form)

        assert response.status_code == 200
        assert response.context["adminform"].form.errors == {
            "account": ["The account's control key does not match the BIK 044525999: check both."]
        }
        assert Seller.objects.get(pk=seller.pk).account == "40702810600000012345"
        admin_client.post(url, {**form, "account": "40702810600000012345", "director": "Орлов"})
        assert Seller.objects.get(pk=seller.pk).director == "Орлов"

    def test_a_project_manager_does_not_reach_it(self, client, pm_api):
        pm = get_user_model().objects.get(username="pm")
        client.force_login(pm)
        seller = main_seller()
        assert client.get(reverse("admin:projects_seller_changelist")).status_code == 403
        url = reverse("admin:projects_seller_change", args=[seller.pk])
        assert client.get(url).status_code == 403


class TestClientAdmin:
    def test_a_wrong_inn_or_ogrn_is_a_form_error_and_stores_nothing(self, admin_client):
        form = {
            "code": "acme",
            "legal_name": "ООО «Акме»",
            "tax_id": "7707083894",
            "ogrn": "1027700132194",
            "currency": "RUB",
            "timezone": "Europe/Moscow",
            "payment_terms_days": "10",
            "vat_rates-TOTAL_FORMS": "0",
            "vat_rates-INITIAL_FORMS": "0",
        }
        response = admin_client.post(reverse("admin:projects_client_add"), form)

        assert response.status_code == 200
        assert response.context["adminform"].form.errors == {
            "tax_id": ["This INN's control digits do not match: check the number."],
            "ogrn": ["This OGRN's control digit does not match: check the number."],
        }
        assert not Client.objects.filter(code="acme").exists()


class TestClientParties:
    def test_a_client_names_its_seller_contract_and_terms(self, admin_api):
        SellerFactory(code="north")
        body = {
            "code": "acme",
            "legal_name": "ООО «Акме»",
            "tax_id": "7707083893",
            "ogrn": "1027700132195",
            "seller": "north",
            "contract_number": "КЦ-17/2026",
            "contract_date": "2026-01-15",
            "payment_terms_days": 30,
        }
        response = admin_api.post(CLIENTS, body, format="json")

        assert response.status_code == 201, response.json()
        answer = response.json()
        assert {key: answer[key] for key in body} == body
        stored = Client.objects.select_related("seller").get(code="acme")
        assert (stored.seller.code, stored.contract_date, stored.payment_terms_days) == (
            "north",
            dt.date(2026, 1, 15),
            30,
        )

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("tax_id", "7707083894"),
            ("ogrn", "1027700132194"),
            ("seller", "nobody"),
            ("payment_terms_days", 366),
            ("payment_terms_days", -1),
            ("contract_date", "1899-01-01"),
        ],
    )
    def test_a_wrong_value_is_a_400_naming_the_field(self, admin_api, field, value):
        body = {"code": "acme", "legal_name": "ООО «Акме»", field: value}
        response = admin_api.post(CLIENTS, body, format="json")

        assert response.status_code == 400
        assert list(response.json()["errors"]) == [field]
        assert not Client.objects.filter(code="acme").exists()

    def test_a_project_manager_cannot_change_the_contract(self, pm_api, pm_project):
        code = pm_project.client.code
        response = pm_api.patch(f"{CLIENTS}{code}/", {"payment_terms_days": 60}, format="json")
        assert response.status_code == 403
        assert list(response.json()["errors"]) == ["payment_terms_days"]
        assert Client.objects.get(code=code).payment_terms_days == 10


class TestTheDefaultSeller:
    def test_with_one_seller_a_client_without_one_uses_it(self):
        Seller.objects.exclude(code="main").delete()
        main = main_seller()
        client = ClientFactory(seller=None)
        assert client_seller(client) == main

    def test_with_several_and_none_named_it_is_a_clear_error(self):
        main_seller()
        SellerFactory(code="north")
        client = ClientFactory(code="acme", seller=None)
        with pytest.raises(DomainError) as refused:
            client_seller(client)
        assert refused.value.details == {
            "seller": [
                "Client 'acme' names no seller and several exist (main, north): set its seller."
            ]
        }

    def test_without_any_seller_it_says_to_create_one(self):
        client = ClientFactory(seller=None)
        Seller.objects.all().delete()
        with pytest.raises(DomainError, match="No seller exists"):
            client_seller(client)


def test_the_data_migration_makes_the_seller_from_the_settings(settings):
    migration = importlib.import_module("projects.migrations.0006_seller_and_contract")
    Client.objects.update(seller=None)
    Seller.objects.all().delete()
    settings.SELLER_NAME = "ООО «Из окружения»"

    migration.create_main_seller(django_apps, None)
    migration.create_main_seller(django_apps, None)  # again: one seller, not two

    assert seller_rows() == [
        {
            "id": Seller.objects.get().id,
            "code": "main",
            **MAIN_SELLER,
            "name": "ООО «Из окружения»",
        }
    ]
