"""operators/: the contract's rules, read by every caller, written by managers, bounded."""

from decimal import Decimal

import pytest

from agents.contracts import rules_for
from agents.models import Operator
from tests.factories import CertificationFactory, OperatorFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def olga(pm_project):
    operator = OperatorFactory(code="olga")
    CertificationFactory(operator=operator, project=pm_project)
    return operator


def test_a_manager_sets_a_part_time_contract_with_overtime(pm_api, olga):
    response = pm_api.patch(
        "/api/v1/operators/olga/",
        {
            "contract_hours_per_week": "30",
            "max_hours_per_week": "44",
            "min_rest_hours": 11,
            "max_consecutive_days": 5,
            "preferred_days_off": [5, 6],
            "overtime_allowed": True,
            "overtime_hourly_cost": "700.00",
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert {name: body[name] for name in ("contract_hours_per_week", "max_hours_per_week")} == {
        "contract_hours_per_week": "30.0",
        "max_hours_per_week": "44.0",
    }
    rules = rules_for(Operator.objects.get(code="olga"))
    assert (
        rules.contract_hours_per_week,
        rules.max_hours_per_week,
        rules.min_rest_hours,
        rules.max_consecutive_days,
        rules.preferred_days_off,
        rules.overtime_allowed,
        rules.overtime_hourly_cost,
    ) == (Decimal("30"), Decimal("44"), 11, 5, frozenset({5, 6}), True, Decimal("700.00"))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"max_hours_per_week": "35"}, "max_hours_per_week"),  # below the contract's 40
        ({"contract_hours_per_week": "50"}, "max_hours_per_week"),  # above the maximum 48
        ({"max_hours_per_week": "169"}, "max_hours_per_week"),
        ({"contract_hours_per_week": "-1"}, "contract_hours_per_week"),
        ({"min_rest_hours": 73}, "min_rest_hours"),
        ({"max_consecutive_days": 0}, "max_consecutive_days"),
        ({"max_consecutive_days": 15}, "max_consecutive_days"),
        ({"preferred_days_off": [7]}, "preferred_days_off"),
        ({"preferred_days_off": [1, 1]}, "preferred_days_off"),
        ({"preferred_days_off": [0, 1, 2, 3, 4, 5, 6, 0]}, "preferred_days_off"),
        ({"overtime_hourly_cost": "-5"}, "overtime_hourly_cost"),
    ],
)
def test_bad_rules_are_a_400_naming_the_field_and_store_nothing(pm_api, olga, body, field):
    response = pm_api.patch("/api/v1/operators/olga/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    stored = Operator.objects.get(code="olga")
    assert (stored.contract_hours_per_week, stored.max_hours_per_week, stored.min_rest_hours) == (
        Decimal("40.0"),
        Decimal("48.0"),
        12,
    )
    assert stored.preferred_days_off == []


def test_integrations_read_the_rules_but_never_the_overtime_cost(
    integration_api, integration_client, olga
):
    CertificationFactory(operator=olga, project=ProjectFactory(client=integration_client))
    olga.overtime_hourly_cost = Decimal("700")
    olga.save()

    body = integration_api.get("/api/v1/operators/olga/").json()

    assert body["max_hours_per_week"] == "48.0"
    assert "overtime_hourly_cost" not in body
    assert "hourly_cost" not in body
