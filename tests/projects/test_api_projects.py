"""projects/: CRUD by code with nested business hours, and who sees and changes which project."""

import datetime as dt

import pytest

from projects.models import BusinessHours, Project
from tests.factories import (
    BusinessHoursFactory,
    CallFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/projects/"


def detail(code):
    return f"{URL}{code}/"


@pytest.fixture
def hotline(acme):
    project = ProjectFactory(code="hotline", name="Acme hotline", client=acme)
    BusinessHoursFactory(project=project, weekday=0, opens=dt.time(9), closes=dt.time(18))
    BusinessHoursFactory(project=project, weekday=5, opens=dt.time(20), closes=dt.time(0))
    project.managers.add(UserFactory(username="anna"))
    return project


HOTLINE = {
    "code": "hotline",
    "name": "Acme hotline",
    "client": "acme",
    "timezone": "Europe/Moscow",
    "service_mode": "full",
    "sl_threshold_seconds": 20,
    "sl_target": "0.800",
    "short_abandon_seconds": 5,
    "sl_formula": "offered_minus_short",
    "abandon_rate_target": "0.050",
    "asa_target_seconds": None,
    "is_active": True,
    "business_hours": [
        {"weekday": 0, "opens": "09:00", "closes": "18:00"},
        {"weekday": 5, "opens": "20:00", "closes": "24:00"},
    ],
    "managers": ["anna"],
}


def new_project(**overrides):
    return {
        "code": "sales",
        "name": "Acme sales",
        "client": "acme",
        "timezone": "Asia/Yekaterinburg",
        "sl_threshold_seconds": 30,
        "sl_target": "0.9",
        "business_hours": [
            {"weekday": 0, "opens": "00:00", "closes": "24:00"},
            {"weekday": 1, "opens": "08:30", "closes": "12:00"},
            {"weekday": 1, "opens": "13:00", "closes": "17:45"},
        ],
        **overrides,
    }


def stored_hours(code):
    return list(
        BusinessHours.objects.filter(project__code=code).values_list("weekday", "opens", "closes")
    )


class TestRead:
    def test_unauthenticated_request_is_401(self, anon_api, hotline):
        assert anon_api.get(URL).status_code == 401
        assert anon_api.get(detail("hotline")).status_code == 401

    def test_admin_lists_every_project(self, admin_api, hotline):
        ProjectFactory(code="zulu")

        response = admin_api.get(URL)

        assert response.status_code == 200
        assert [p["code"] for p in response.json()["results"]] == ["hotline", "zulu"]
        assert response.json()["results"][0] == HOTLINE

    def test_retrieve_shows_midnight_close_as_24_00(self, admin_api, hotline):
        response = admin_api.get(detail("hotline"))

        assert response.status_code == 200
        assert response.json() == HOTLINE


class TestCreate:
    def test_creates_a_project_with_its_hours_and_24_00_round_trips(self, admin_api, acme):
        response = admin_api.post(URL, new_project())

        assert response.status_code == 201
        body = response.json()
        assert body["sl_target"] == "0.900"
        assert body["business_hours"] == new_project()["business_hours"]
        assert body["managers"] == []
        assert stored_hours("sales") == [
            (0, dt.time(0), dt.time(0)),
            (1, dt.time(8, 30), dt.time(12)),
            (1, dt.time(13), dt.time(17, 45)),
        ]
        assert admin_api.get(detail("sales")).json()["business_hours"][0]["closes"] == "24:00"

    def test_without_hours_the_line_runs_around_the_clock(self, admin_api, acme):
        response = admin_api.post(URL, new_project(business_hours=[]))

        assert response.status_code == 201
        assert response.json()["business_hours"] == []

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"timezone": "Mars/Olympus"}, "timezone"),
            ({"timezone": "MSK+3"}, "timezone"),
            ({"code": "Sales Line"}, "code"),
            ({"client": "nobody"}, "client"),
            ({"sl_target": "1.5"}, "sl_target"),
            ({"sl_formula": "magic"}, "sl_formula"),
            ({"service_mode": "half"}, "service_mode"),
            ({"business_hours": [{"weekday": 7, "opens": "09:00", "closes": "18:00"}]}, None),
            ({"business_hours": [{"weekday": 0, "opens": "24:00", "closes": "18:00"}]}, None),
            ({"business_hours": [{"weekday": 0, "opens": "9:00", "closes": "18:00"}]}, None),
            ({"business_hours": [{"weekday": 0, "opens": "18:00", "closes": "09:00"}]}, None),
            (
                {
                    "business_hours": [
                        {"weekday": 2, "opens": "09:00", "closes": "18:00"},
                        {"weekday": 2, "opens": "17:00", "closes": "20:00"},
                    ]
                },
                None,
            ),
        ],
    )
    def test_bad_input_is_400_naming_the_field_and_stores_nothing(
        self, admin_api, acme, overrides, field
    ):
        response = admin_api.post(URL, new_project(**overrides))

        assert response.status_code == 400
        assert list(response.json()["errors"]) == [field or "business_hours"]
        assert not Project.objects.filter(code="sales").exists()
        assert not BusinessHours.objects.exists()

    def test_a_start_of_24_00_names_the_nested_field(self, admin_api, acme):
        response = admin_api.post(
            URL,
            new_project(business_hours=[{"weekday": 0, "opens": "24:00", "closes": "24:00"}]),
        )

        assert response.json()["errors"] == {
            "business_hours": {"0": {"opens": ["Enter a time as HH:MM, such as 09:00."]}}
        }

    def test_a_window_closing_before_it_opens_is_explained(self, admin_api, acme):
        response = admin_api.post(
            URL,
            new_project(business_hours=[{"weekday": 0, "opens": "18:00", "closes": "09:00"}]),
        )

        assert response.json()["errors"] == {
            "business_hours": {
                "0": {"closes": ["Must be after opens (18:00); use 24:00 for midnight."]}
            }
        }

    def test_overlapping_windows_name_the_later_one(self, admin_api, acme):
        response = admin_api.post(
            URL,
            new_project(
                business_hours=[
                    {"weekday": 2, "opens": "17:00", "closes": "20:00"},
                    {"weekday": 2, "opens": "09:00", "closes": "18:00"},
                ]
            ),
        )

        assert response.json()["errors"] == {
            "business_hours": {"0": {"opens": ["Overlaps item 1 on Wednesday."]}}
        }


class TestUpdate:
    def test_put_replaces_the_stored_hours(self, admin_api, hotline):
        payload = {
            **HOTLINE,
            "name": "Renamed",
            "business_hours": [{"weekday": 6, "opens": "10:00", "closes": "24:00"}],
        }
        del payload["managers"]

        response = admin_api.put(detail("hotline"), payload)

        assert response.status_code == 200
        assert response.json()["name"] == "Renamed"
        assert response.json()["business_hours"] == [
            {"weekday": 6, "opens": "10:00", "closes": "24:00"}
        ]
        assert stored_hours("hotline") == [(6, dt.time(10), dt.time(0))]

    def test_patch_without_hours_keeps_them(self, admin_api, hotline):
        response = admin_api.patch(detail("hotline"), {"sl_formula": "answered_only"})

        assert response.status_code == 200
        assert response.json()["business_hours"] == HOTLINE["business_hours"]
        hotline.refresh_from_db()
        assert hotline.sl_formula == "answered_only"

    def test_bad_patch_changes_nothing(self, admin_api, hotline):
        response = admin_api.patch(
            detail("hotline"),
            {
                "name": "Renamed",
                "business_hours": [{"weekday": 0, "opens": "12:00", "closes": "11:00"}],
            },
        )

        assert response.status_code == 400
        hotline.refresh_from_db()
        assert hotline.name == "Acme hotline"
        assert len(stored_hours("hotline")) == 2


class TestDelete:
    def test_a_project_with_calls_is_a_409(self, admin_api, hotline):
        CallFactory(project=hotline)

        response = admin_api.delete(detail("hotline"))

        assert response.status_code == 409
        assert Project.objects.filter(code="hotline").exists()

    def test_a_project_without_calls_is_deleted_with_its_hours(self, admin_api, hotline):
        assert admin_api.delete(detail("hotline")).status_code == 204
        assert not Project.objects.exists()
        assert not BusinessHours.objects.exists()


class TestProjectManager:
    def test_sees_only_managed_projects(self, pm_api, pm_project, hotline):
        ProjectFactory(client=pm_project.client, code="pm-unmanaged")

        response = pm_api.get(URL)

        assert [p["code"] for p in response.json()["results"]] == ["pm-hotline"]

    def test_another_project_is_404(self, pm_api, hotline):
        assert pm_api.get(detail("hotline")).status_code == 404
        assert pm_api.patch(detail("hotline"), {"name": "Mine"}).status_code == 404
        hotline.refresh_from_db()
        assert hotline.name == "Acme hotline"

    def test_edits_a_managed_project(self, pm_api, pm_project):
        response = pm_api.patch(detail("pm-hotline"), {"short_abandon_seconds": 3})

        assert response.status_code == 200
        assert response.json()["short_abandon_seconds"] == 3
        assert response.json()["managers"] == ["pm"]

    def test_creates_a_project_for_a_client_in_scope_and_manages_it(self, pm_api, pm_project):
        response = pm_api.post(URL, new_project(client=pm_project.client.code))

        assert response.status_code == 201
        assert response.json()["managers"] == ["pm"]
        assert Project.objects.get(code="sales").managers.get().username == "pm"

    def test_a_client_out_of_scope_reads_as_unknown(self, pm_api, pm_project, acme):
        response = pm_api.post(URL, new_project(client="acme"))

        assert response.status_code == 400
        assert response.json()["errors"] == {"client": ["Unknown client 'acme'."]}
        assert not Project.objects.filter(code="sales").exists()

    def test_may_not_delete_a_project(self, pm_api, pm_project):
        assert pm_api.delete(detail("pm-hotline")).status_code == 403
        assert Project.objects.filter(code="pm-hotline").exists()


class TestIntegration:
    def test_sees_only_its_clients_projects(self, integration_api, integration_client, hotline):
        ProjectFactory(client=integration_client, code="crm-line")

        response = integration_api.get(URL)

        assert [p["code"] for p in response.json()["results"]] == ["crm-line"]
        assert integration_api.get(detail("hotline")).status_code == 404

    def test_may_not_change_projects(self, integration_api, integration_client):
        ProjectFactory(client=integration_client, code="crm-line")

        assert integration_api.patch(detail("crm-line"), {"name": "X"}).status_code == 403
        assert integration_api.post(URL, new_project(client="integrated")).status_code == 403
        assert Project.objects.get(code="crm-line").name != "X"


class TestListQuery:
    def test_filter_by_client_search_and_ordering(self, admin_api, hotline):
        ProjectFactory(code="beta-line", name="Beta line")
        ProjectFactory(code="acme-sales", name="Zeta sales", client=hotline.client)

        def codes(query):
            return [p["code"] for p in admin_api.get(f"{URL}?{query}").json()["results"]]

        assert codes("client=acme") == ["acme-sales", "hotline"]
        assert codes("search=beta") == ["beta-line"]
        assert codes("ordering=-name") == ["acme-sales", "beta-line", "hotline"]
        # Not an ordering field (a to-many relation would repeat rows): ignored.
        assert codes("ordering=business_hours") == ["acme-sales", "beta-line", "hotline"]

    def test_a_code_with_a_nul_byte_is_404_not_500(self, admin_api, hotline):
        assert admin_api.get(f"{URL}hot%00line/").status_code == 404
