"""POST staffing/in-house-vs-outsourcing/: every input optional (the defaults echoed), the
worked example's totals as decimal strings, each bad field a 400 naming it, never a 500."""

import pytest

from workforce import insourcing

URL = "/api/v1/staffing/in-house-vs-outsourcing/"
WORKED = {  # tests/agents/test_insourcing.py's worked example, every cost written out
    "calls_per_hour": 200,
    "coverage": "24/7",
    "aht_seconds": 180,
    "threshold_seconds": 20,
    "target_service_level": 0.8,
    "shrinkage": 0.3,
    "max_occupancy": 1,
    "hours_per_fte_month": "164",
    "operator_salary": "60000",
    "payroll_tax_rate": "0.302",
    "workstation_per_seat": "6000",
    "software_telephony_per_seat": "4000",
    "agents_per_seat": "1",
    "annual_turnover": "0.6",
    "recruiting_cost_per_hire": "15000",
    "training_hours_per_hire": "80",
    "trainee_hourly_pay": "250",
    "operators_per_supervisor": "15",
    "supervisor_salary": "90000",
    "operators_per_qa": "40",
    "qa_salary": "75000",
    "management_overhead_rate": "0.1",
    "price_per_minute": "32",
    "billable_share": "0.85",
    "monthly_minimum": "100000",
}


def test_the_worked_example(pm_api):
    response = pm_api.post(URL, WORKED)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert set(body) == {"inputs", "hours", "lines", "totals", "verdict"}
    assert body["totals"] == {
        "in_house": "9021520.42",
        "outsourced": "11880960.00",
        "saving": "-2859439.58",
        "outsourced_to_in_house": "1.3170",
        "break_even_price_per_minute": "24.30",
    }
    lines = {line["key"]: line for line in body["lines"]}
    assert lines["operators_fte"] == {
        "key": "operators_fte",
        "section": "workload",
        "label": "Operators (FTE)",
        "formula": "14,560 paid hours / 164 h per FTE",
        "quantity": "88.78",
        "unit": "FTE",
        "amount": None,
    }
    assert lines["payroll_taxes"]["amount"] == "1819882.20"
    assert body["hours"][0] == {
        "hour": 0,
        "calls": 200.0,
        "traffic_erlangs": 10.0,
        "agents": 14,
        "scheduled_agents": 20,
    }
    assert len(body["hours"]) == 24
    assert body["verdict"].startswith("In-house is cheaper by 2,859,439.58 a month.")


def test_an_empty_body_takes_the_defaults_and_echoes_them(integration_api):
    response = integration_api.post(URL, {})
    assert response.status_code == 200, response.json()
    body = response.json()
    defaults = insourcing.Inputs()
    assert body["inputs"]["calls_per_hour"] == defaults.calls_per_hour
    assert body["inputs"]["coverage"] == "business_hours"
    assert body["inputs"]["days_per_week"] is None
    assert body["inputs"]["operator_salary"] == f"{defaults.operator_salary:.2f}"
    assert body["inputs"]["payroll_tax_rate"] == f"{defaults.payroll_tax_rate:.4f}"
    assert set(body["inputs"]) == set(insourcing.INPUT_NAMES)
    assert [hour["hour"] for hour in body["hours"]] == list(range(9, 18))
    expected = insourcing.compare(defaults)
    assert body["totals"]["in_house"] == str(expected.totals.in_house)
    assert body["verdict"] == expected.verdict


def test_a_24_hour_profile_is_echoed_as_a_list(admin_api):
    profile = [0] * 9 + [60] * 9 + [0] * 6
    body = admin_api.post(URL, {"calls_per_hour": profile}).json()
    assert body["inputs"]["calls_per_hour"] == [float(value) for value in profile]
    assert body["totals"] == admin_api.post(URL, {"calls_per_hour": 60}).json()["totals"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"calls_per_hour": [1, 2, 3]}, "calls_per_hour"),
        ({"calls_per_hour": -1}, "calls_per_hour"),
        ({"calls_per_hour": "many"}, "calls_per_hour"),
        ({"calls_per_hour": True}, "calls_per_hour"),
        ({"calls_per_hour": 1_000_000, "aht_seconds": 3600}, "calls_per_hour"),
        ({"coverage": "weekdays"}, "coverage"),
        ({"coverage": "business_hours", "open_hour": 18, "close_hour": 9}, "close_hour"),
        ({"days_per_week": 5}, "days_per_week"),  # with 24/7
        ({"days_per_week": 8}, "days_per_week"),
        ({"aht_seconds": 0}, "aht_seconds"),
        ({"target_service_level": 1.5}, "target_service_level"),
        ({"shrinkage": 1}, "shrinkage"),
        ({"max_occupancy": 0}, "max_occupancy"),
        ({"hours_per_fte_month": "0"}, "hours_per_fte_month"),
        ({"operator_salary": "-1"}, "operator_salary"),
        ({"operator_salary": "12.345"}, "operator_salary"),
        ({"payroll_tax_rate": "1.5"}, "payroll_tax_rate"),
        ({"agents_per_seat": "0"}, "agents_per_seat"),
        ({"operators_per_supervisor": "0"}, "operators_per_supervisor"),
        ({"operators_per_qa": "abc"}, "operators_per_qa"),
        ({"billable_share": "2"}, "billable_share"),
        ({"price_per_minute": None}, "price_per_minute"),
    ],
)
def test_each_bad_field_is_a_400_naming_it(pm_api, changes, field):
    response = pm_api.post(URL, {**WORKED, **changes})
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["errors"], body


def test_anonymous_is_refused(anon_api):
    response = anon_api.post(URL, WORKED)
    assert response.status_code == 401
