"""operators/: CRUD by code with nested certifications; the shared pool and its scope."""

import datetime as dt

import pytest

from agents.models import Certification, Operator
from tests.factories import (
    AgentStateEventFactory,
    CertificationFactory,
    OperatorFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/operators/"


def detail(code):
    return f"{URL}{code}/"


@pytest.fixture
def ivan(hotline):
    operator = OperatorFactory(
        code="ivan",
        full_name="Ivan Petrov",
        email="ivan@cc.example",
        hired_on=dt.date(2025, 1, 10),
    )
    CertificationFactory(
        operator=operator, project=hotline, level=3, certified_on=dt.date(2025, 2, 1)
    )
    return operator


IVAN = {
    "code": "ivan",
    "full_name": "Ivan Petrov",
    "email": "ivan@cc.example",
    "status": "active",
    "hired_on": "2025-01-10",
    "left_on": None,
    "hourly_cost": "450.00",
    "supervisor": None,
    "certifications": [{"project": "hotline", "level": 3, "certified_on": "2025-02-01"}],
    # The center's defaults (agents.contracts).
    "contract_hours_per_week": "40.0",
    "max_hours_per_week": "48.0",
    "min_rest_hours": 12,
    "max_consecutive_days": 6,
    "preferred_days_off": [],
    "overtime_allowed": False,
    "overtime_hourly_cost": None,
}


def new_operator(**overrides):
    return {
        "code": "olga",
        "full_name": "Olga Ivanova",
        "status": "training",
        "hourly_cost": "380.5",
        "certifications": [{"project": "hotline", "certified_on": "2026-09-01"}],
        **overrides,
    }


def stored_certifications(code):
    return list(
        Certification.objects.filter(operator__code=code)
        .order_by("project__code")
        .values_list("project__code", "level", "certified_on")
    )


class TestRead:
    def test_unauthenticated_request_is_401(self, anon_api, ivan):
        assert anon_api.get(URL).status_code == 401

    def test_admin_lists_the_pool(self, admin_api, ivan):
        OperatorFactory(code="zoya")

        response = admin_api.get(URL)

        assert response.status_code == 200
        assert [o["code"] for o in response.json()["results"]] == ["ivan", "zoya"]
        assert response.json()["results"][0] == IVAN

    def test_retrieve_by_code(self, admin_api, ivan):
        response = admin_api.get(detail("ivan"))

        assert response.status_code == 200
        assert response.json() == IVAN


class TestCreate:
    def test_creates_an_operator_with_certifications(self, admin_api, hotline):
        response = admin_api.post(URL, new_operator())

        assert response.status_code == 201
        assert response.json() == {
            "code": "olga",
            "full_name": "Olga Ivanova",
            "email": "",
            "status": "training",
            "hired_on": None,
            "left_on": None,
            "hourly_cost": "380.50",
            "supervisor": None,
            "certifications": [{"project": "hotline", "level": 2, "certified_on": "2026-09-01"}],
            "contract_hours_per_week": "40.0",
            "max_hours_per_week": "48.0",
            "min_rest_hours": 12,
            "max_consecutive_days": 6,
            "preferred_days_off": [],
            "overtime_allowed": False,
            "overtime_hourly_cost": None,
        }
        assert stored_certifications("olga") == [("hotline", 2, dt.date(2026, 9, 1))]

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"code": "Olga!"}, "code"),
            ({"hourly_cost": "-1"}, "hourly_cost"),
            ({"supervisor": "nobody"}, "supervisor"),
            ({"status": "retired"}, "status"),
            ({"status": "active"}, "hired_on"),
            ({"status": "dismissed", "hired_on": "2025-01-01"}, "left_on"),
            ({"hired_on": "2025-05-01", "left_on": "2025-04-30"}, "left_on"),
            ({"certifications": [{"project": "nowhere", "certified_on": "2026-09-01"}]}, None),
            ({"certifications": [{"project": "hotline", "certified_on": "soon"}]}, None),
            (
                {
                    "certifications": [
                        {"project": "hotline", "level": 4, "certified_on": "2026-09-01"}
                    ]
                },
                None,
            ),
            (
                {
                    "certifications": [
                        {"project": "hotline", "certified_on": "2026-09-01"},
                        {"project": "hotline", "certified_on": "2026-09-02"},
                    ]
                },
                None,
            ),
        ],
    )
    def test_bad_input_is_400_naming_the_field_and_stores_nothing(
        self, admin_api, hotline, overrides, field
    ):
        response = admin_api.post(URL, new_operator(**overrides))

        assert response.status_code == 400
        assert list(response.json()["errors"]) == [field or "certifications"]
        assert not Operator.objects.exists()
        assert not Certification.objects.exists()

    def test_an_unknown_project_is_named_in_its_item(self, admin_api, hotline):
        response = admin_api.post(
            URL,
            new_operator(certifications=[{"project": "nowhere", "certified_on": "2026-09-01"}]),
        )

        assert response.json()["errors"] == {
            "certifications": {"0": {"project": ["Unknown project 'nowhere'."]}}
        }


class TestUpdate:
    def test_put_replaces_the_certifications(self, admin_api, ivan, hotline):
        ProjectFactory(code="sales")
        payload = {
            **IVAN,
            "full_name": "Ivan A. Petrov",
            "certifications": [{"project": "sales", "level": 1, "certified_on": "2026-10-01"}],
        }

        response = admin_api.put(detail("ivan"), payload)

        assert response.status_code == 200
        assert response.json()["full_name"] == "Ivan A. Petrov"
        assert stored_certifications("ivan") == [("sales", 1, dt.date(2026, 10, 1))]

    def test_patch_without_certifications_keeps_them(self, admin_api, ivan):
        response = admin_api.patch(detail("ivan"), {"email": "ivan@example.com"})

        assert response.status_code == 200
        assert response.json()["certifications"] == IVAN["certifications"]
        ivan.refresh_from_db()
        assert ivan.email == "ivan@example.com"

    def test_the_status_moves_only_through_the_lifecycle(self, admin_api, ivan):
        response = admin_api.patch(
            detail("ivan"), {"full_name": "X", "status": "dismissed", "left_on": "2026-10-31"}
        )

        assert response.status_code == 400
        assert sorted(response.json()["errors"]) == ["left_on", "status"]
        assert "operators/ivan/status/" in response.json()["errors"]["status"][0]
        ivan.refresh_from_db()
        assert (ivan.full_name, ivan.status, ivan.left_on) == ("Ivan Petrov", "active", None)

    def test_resending_the_stored_status_is_accepted(self, admin_api, ivan):
        response = admin_api.patch(detail("ivan"), {"full_name": "X", "status": "active"})

        assert response.status_code == 200
        ivan.refresh_from_db()
        assert (ivan.full_name, ivan.status) == ("X", "active")


class TestDelete:
    def test_an_operator_with_history_is_a_409(self, admin_api, ivan):
        AgentStateEventFactory(operator=ivan)

        assert admin_api.delete(detail("ivan")).status_code == 409
        assert Operator.objects.filter(code="ivan").exists()

    def test_an_operator_without_history_is_deleted(self, admin_api, ivan):
        assert admin_api.delete(detail("ivan")).status_code == 204
        assert not Operator.objects.exists()
        assert not Certification.objects.exists()


class TestProjectManager:
    def test_sees_the_whole_pool_but_only_certifications_of_managed_projects(
        self, pm_api, pm_project, ivan
    ):
        CertificationFactory(operator=ivan, project=pm_project, certified_on=dt.date(2026, 1, 5))
        OperatorFactory(code="zoya")

        response = pm_api.get(URL)

        assert [o["code"] for o in response.json()["results"]] == ["ivan", "zoya"]
        assert response.json()["results"][0]["certifications"] == [
            {"project": "pm-hotline", "level": 2, "certified_on": "2026-01-05"}
        ]

    def test_replacing_certifications_keeps_those_of_other_projects(self, pm_api, pm_project, ivan):
        response = pm_api.patch(
            detail("ivan"),
            {"certifications": [{"project": "pm-hotline", "certified_on": "2026-10-01"}]},
        )

        assert response.status_code == 200
        assert response.json()["certifications"] == [
            {"project": "pm-hotline", "level": 2, "certified_on": "2026-10-01"}
        ]
        assert stored_certifications("ivan") == [
            ("hotline", 3, dt.date(2025, 2, 1)),
            ("pm-hotline", 2, dt.date(2026, 10, 1)),
        ]

    def test_cannot_certify_on_a_project_out_of_scope(self, pm_api, pm_project, ivan):
        response = pm_api.patch(
            detail("ivan"),
            {"certifications": [{"project": "hotline", "certified_on": "2026-10-01"}]},
        )

        assert response.status_code == 400
        assert response.json()["errors"] == {
            "certifications": {"0": {"project": ["Unknown project 'hotline'."]}}
        }

    def test_creates_operators_but_may_not_delete_them(self, pm_api, pm_project, ivan):
        response = pm_api.post(
            URL,
            new_operator(certifications=[{"project": "pm-hotline", "certified_on": "2026-09-01"}]),
        )

        assert response.status_code == 201
        assert pm_api.delete(detail("ivan")).status_code == 403
        assert Operator.objects.filter(code="ivan").exists()


class TestIntegration:
    def test_sees_only_operators_certified_on_its_clients_projects(
        self, integration_api, integration_client, ivan
    ):
        crm_line = ProjectFactory(client=integration_client, code="crm-line")
        maria = OperatorFactory(code="maria")
        CertificationFactory(operator=maria, project=crm_line, certified_on=dt.date(2026, 3, 1))
        CertificationFactory(operator=maria, project=ProjectFactory(code="crm-line-2"))

        response = integration_api.get(URL)

        assert response.json()["count"] == 1
        assert response.json()["results"][0]["certifications"] == [
            {"project": "crm-line", "level": 2, "certified_on": "2026-03-01"}
        ]
        assert integration_api.get(detail("ivan")).status_code == 404

    def test_does_not_see_our_team_leads(self, integration_api, integration_client, ivan):
        CertificationFactory(
            operator=ivan, project=ProjectFactory(client=integration_client, code="crm-line")
        )
        ivan.supervisor = UserFactory(username="lead", is_staff=True)
        ivan.save()

        body = integration_api.get(detail("ivan")).json()
        assert body["code"] == "ivan"
        assert "supervisor" not in body  # absent, not null
        assert "hourly_cost" not in body

    def test_may_not_change_operators(self, integration_api, integration_client, ivan):
        crm_line = ProjectFactory(client=integration_client, code="crm-line")
        CertificationFactory(operator=ivan, project=crm_line)

        assert integration_api.patch(detail("ivan"), {"full_name": "X"}).status_code == 403
        assert integration_api.post(URL, new_operator(certifications=[])).status_code == 403
        ivan.refresh_from_db()
        assert ivan.full_name == "Ivan Petrov"


class TestListQuery:
    def test_filter_by_project_and_status_and_search(self, admin_api, ivan, hotline):
        OperatorFactory(code="zoya", full_name="Zoya Smirnova", status="training", hired_on=None)

        def codes(query):
            return [o["code"] for o in admin_api.get(f"{URL}?{query}").json()["results"]]

        assert codes("project=hotline") == ["ivan"]
        assert codes("status=training") == ["zoya"]
        assert codes("search=smirnova") == ["zoya"]
        assert codes("ordering=-code") == ["zoya", "ivan"]


def test_a_team_lead_is_named_by_username(admin_api, ivan):
    lead = UserFactory(username="lead", is_staff=True)

    response = admin_api.patch(detail("ivan"), {"supervisor": "lead"})

    assert response.status_code == 200
    assert response.json()["supervisor"] == "lead"
    ivan.refresh_from_db()
    assert ivan.supervisor == lead


def test_a_team_lead_must_be_staff(admin_api, ivan):
    UserFactory(username="outsider", is_staff=False)

    response = admin_api.patch(detail("ivan"), {"supervisor": "outsider"})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["supervisor"]
    ivan.refresh_from_db()
    assert ivan.supervisor is None
