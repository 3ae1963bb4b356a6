"""tariffs/: CRUD by id with ordered bands; decimals as strings; scope of the project."""

import datetime as dt
from decimal import Decimal

import pytest

from billing.models import Tariff, TariffBand
from tests.factories import ProjectFactory, TariffBandFactory, TariffFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/tariffs/"


def detail(pk):
    return f"{URL}{pk}/"


@pytest.fixture
def tariff(hotline):
    tariff = TariffFactory(project=hotline, valid_from=dt.date(2026, 1, 1))
    TariffBandFactory(
        tariff=tariff,
        position=0,
        name="night",
        weekdays=[0, 1, 2, 3, 4],
        start=dt.time(22),
        end=dt.time(8),
        rate_per_minute=Decimal("15.0000"),
    )
    TariffBandFactory(
        tariff=tariff,
        position=1,
        name="weekend",
        weekdays=[5, 6],
        start=dt.time(0),
        end=dt.time(0),
        rate_per_minute=Decimal("17.2500"),
    )
    return tariff


def tariff_body(tariff):
    return {
        "id": tariff.pk,
        "project": "hotline",
        "valid_from": "2026-01-01",
        "currency": "RUB",
        "rate_per_minute": "12.5000",
        "first_increment_seconds": 60,
        "next_increment_seconds": 60,
        "free_seconds": 0,
        "billable": "connected",
        "wrap_cap_seconds": None,
        "monthly_minimum": "0.00",
        "bands": [
            {
                "name": "night",
                "display_name": "",
                "weekdays": [0, 1, 2, 3, 4],
                "start": "22:00",
                "end": "08:00",
                "rate_per_minute": "15.0000",
            },
            {
                "name": "weekend",
                "display_name": "",
                "weekdays": [5, 6],
                "start": "00:00",
                "end": "24:00",
                "rate_per_minute": "17.2500",
            },
        ],
    }


def new_tariff(**overrides):
    return {
        "project": "hotline",
        "valid_from": "2026-11-01",
        "rate_per_minute": "9.75",
        "first_increment_seconds": 30,
        "next_increment_seconds": 6,
        "free_seconds": 5,
        "billable": "handle",
        "wrap_cap_seconds": 30,
        "monthly_minimum": "10000",
        "bands": [
            {
                "name": "evening",
                "display_name": "Вечер",
                "weekdays": [4],
                "start": "18:00",
                "end": "24:00",
                "rate_per_minute": "11",
            },
            {
                "name": "night",
                "weekdays": [4, 0],
                "start": "22:00",
                "end": "08:00",
                "rate_per_minute": "12.3456",
            },
        ],
        **overrides,
    }


def stored_bands(tariff_id):
    return list(
        TariffBand.objects.filter(tariff_id=tariff_id)
        .order_by("position")
        .values_list("position", "name", "weekdays", "start", "end", "rate_per_minute")
    )


class TestRead:
    def test_unauthenticated_request_is_401(self, anon_api, tariff):
        assert anon_api.get(URL).status_code == 401

    def test_list_shows_decimals_as_strings_and_bands_in_order(self, admin_api, tariff):
        response = admin_api.get(URL)

        assert response.status_code == 200
        assert response.json()["results"] == [tariff_body(tariff)]

    def test_retrieve_by_id(self, admin_api, tariff):
        response = admin_api.get(detail(tariff.pk))

        assert response.status_code == 200
        assert response.json() == tariff_body(tariff)


class TestCreate:
    def test_creates_a_tariff_with_ordered_bands_and_24_00_round_trips(self, admin_api, hotline):
        response = admin_api.post(URL, new_tariff())

        assert response.status_code == 201
        body = response.json()
        assert body["rate_per_minute"] == "9.7500"
        assert body["monthly_minimum"] == "10000.00"
        assert body["bands"] == [
            {
                "name": "evening",
                "display_name": "Вечер",
                "weekdays": [4],
                "start": "18:00",
                "end": "24:00",
                "rate_per_minute": "11.0000",
            },
            {
                "name": "night",
                "display_name": "",
                "weekdays": [0, 4],
                "start": "22:00",
                "end": "08:00",
                "rate_per_minute": "12.3456",
            },
        ]
        assert stored_bands(body["id"]) == [
            (0, "evening", [4], dt.time(18), dt.time(0), Decimal("11.0000")),
            (1, "night", [0, 4], dt.time(22), dt.time(8), Decimal("12.3456")),
        ]
        assert admin_api.get(detail(body["id"])).json()["bands"][0]["end"] == "24:00"

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"project": "nowhere"}, "project"),
            ({"rate_per_minute": "-1"}, "rate_per_minute"),
            ({"rate_per_minute": "1.23456"}, "rate_per_minute"),
            ({"first_increment_seconds": 0}, "first_increment_seconds"),
            ({"next_increment_seconds": 0}, "next_increment_seconds"),
            ({"monthly_minimum": "-5"}, "monthly_minimum"),
            ({"currency": "rubles"}, "currency"),
            ({"billable": "wait"}, "billable"),
            ({"valid_from": "2026-01-01"}, "valid_from"),
            (
                {
                    "bands": [
                        {
                            "name": "x",
                            "weekdays": [7],
                            "start": "01:00",
                            "end": "02:00",
                            "rate_per_minute": "1",
                        }
                    ]
                },
                "bands",
            ),
            (
                {
                    "bands": [
                        {
                            "name": "x",
                            "weekdays": [],
                            "start": "01:00",
                            "end": "02:00",
                            "rate_per_minute": "1",
                        }
                    ]
                },
                "bands",
            ),
            (
                {
                    "bands": [
                        {
                            "name": "x",
                            "weekdays": [1],
                            "start": "24:00",
                            "end": "02:00",
                            "rate_per_minute": "1",
                        }
                    ]
                },
                "bands",
            ),
            (
                {
                    "bands": [
                        {
                            "name": "x",
                            "weekdays": [1],
                            "start": "01:00",
                            "end": "25:00",
                            "rate_per_minute": "1",
                        }
                    ]
                },
                "bands",
            ),
            (
                {
                    "bands": [
                        {
                            "name": "x",
                            "weekdays": [1],
                            "start": "01:00",
                            "end": "02:00",
                            "rate_per_minute": "-1",
                        }
                    ]
                },
                "bands",
            ),
            (
                {
                    "bands": [
                        {
                            "name": "x",
                            "weekdays": [1],
                            "start": "01:00",
                            "end": "02:00",
                            "rate_per_minute": "1",
                        }
                    ]
                    * 2
                },
                "bands",
            ),
        ],
    )
    def test_bad_input_is_400_naming_the_field_and_stores_nothing(
        self, admin_api, tariff, overrides, field
    ):
        response = admin_api.post(URL, new_tariff(**overrides))

        assert response.status_code == 400
        assert list(response.json()["errors"]) == [field]
        assert Tariff.objects.count() == 1
        assert TariffBand.objects.count() == 2

    def test_a_second_tariff_on_the_same_day_names_valid_from(self, admin_api, tariff):
        response = admin_api.post(URL, new_tariff(valid_from="2026-01-01"))

        assert response.json()["errors"] == {
            "valid_from": ["Project 'hotline' already has a tariff from 2026-01-01."]
        }

    def test_a_band_name_used_twice_names_the_second_item(self, admin_api, hotline):
        band = {
            "name": "x",
            "weekdays": [1],
            "start": "01:00",
            "end": "02:00",
            "rate_per_minute": "1",
        }

        response = admin_api.post(URL, new_tariff(bands=[band, band]))

        assert response.json()["errors"] == {"bands": {"1": {"name": ["Already used by item 0."]}}}


class TestUpdate:
    def test_put_replaces_the_bands(self, admin_api, tariff):
        payload = new_tariff(
            valid_from="2026-01-01",
            bands=[
                {
                    "name": "sunday",
                    "weekdays": [6],
                    "start": "00:00",
                    "end": "24:00",
                    "rate_per_minute": "20",
                }
            ],
        )

        response = admin_api.put(detail(tariff.pk), payload)

        assert response.status_code == 200
        assert response.json()["rate_per_minute"] == "9.7500"
        assert stored_bands(tariff.pk) == [
            (0, "sunday", [6], dt.time(0), dt.time(0), Decimal("20.0000"))
        ]

    def test_patch_without_bands_keeps_them(self, admin_api, tariff):
        response = admin_api.patch(detail(tariff.pk), {"free_seconds": 3})

        assert response.status_code == 200
        assert response.json() == {**tariff_body(tariff), "free_seconds": 3}

    def test_moving_onto_a_taken_date_is_400_and_changes_nothing(self, admin_api, tariff, hotline):
        later = TariffFactory(project=hotline, valid_from=dt.date(2026, 6, 1))

        response = admin_api.patch(detail(later.pk), {"valid_from": "2026-01-01"})

        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["valid_from"]
        later.refresh_from_db()
        assert later.valid_from == dt.date(2026, 6, 1)

    def test_delete_removes_the_tariff_and_its_bands(self, admin_api, tariff):
        assert admin_api.delete(detail(tariff.pk)).status_code == 204
        assert not Tariff.objects.exists()
        assert not TariffBand.objects.exists()


class TestProjectManager:
    def test_sees_only_tariffs_of_managed_projects(self, pm_api, pm_project, tariff):
        own = TariffFactory(project=pm_project)

        response = pm_api.get(URL)

        assert [t["id"] for t in response.json()["results"]] == [own.pk]
        assert pm_api.get(detail(tariff.pk)).status_code == 404
        assert pm_api.patch(detail(tariff.pk), {"free_seconds": 1}).status_code == 404

    def test_prices_a_managed_project(self, pm_api, pm_project):
        response = pm_api.post(URL, new_tariff(project="pm-hotline"))

        assert response.status_code == 201
        assert Tariff.objects.get().project == pm_project

    def test_a_project_out_of_scope_reads_as_unknown(self, pm_api, pm_project, hotline):
        response = pm_api.post(URL, new_tariff(project="hotline"))

        assert response.status_code == 400
        assert response.json()["errors"] == {"project": ["Unknown project 'hotline'."]}
        assert not Tariff.objects.exists()


class TestIntegration:
    def test_reads_its_clients_tariffs_only(self, integration_api, integration_client, tariff):
        own = TariffFactory(project=ProjectFactory(client=integration_client))

        response = integration_api.get(URL)

        assert [t["id"] for t in response.json()["results"]] == [own.pk]
        assert integration_api.get(detail(tariff.pk)).status_code == 404

    def test_may_not_change_tariffs(self, integration_api, integration_client):
        project = ProjectFactory(client=integration_client, code="crm-line")
        own = TariffFactory(project=project)

        assert integration_api.patch(detail(own.pk), {"free_seconds": 9}).status_code == 403
        assert integration_api.delete(detail(own.pk)).status_code == 403
        assert integration_api.post(URL, new_tariff(project="crm-line")).status_code == 403
        own.refresh_from_db()
        assert own.free_seconds == 0


class TestListQuery:
    def test_filter_by_project_and_order_by_date(self, admin_api, tariff, hotline):
        later = TariffFactory(project=hotline, valid_from=dt.date(2026, 7, 1))
        TariffFactory(project=ProjectFactory(code="sales"))

        def ids(query):
            return [t["id"] for t in admin_api.get(f"{URL}?{query}").json()["results"]]

        assert ids("project=hotline") == [later.pk, tariff.pk]
        assert ids("project=hotline&ordering=valid_from") == [tariff.pk, later.pk]
        assert admin_api.get(f"{URL}abc/").status_code == 404
