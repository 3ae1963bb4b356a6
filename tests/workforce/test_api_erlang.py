"""POST staffing/erlang-c/ and staffing/erlang-a/ (SPEC section 6): the answer's shape (a
scalar for a number, lists for a list), every bad field a 400 naming it, never a 500."""

import pytest

C_URL = "/api/v1/staffing/erlang-c/"
A_URL = "/api/v1/staffing/erlang-a/"
CASE = {  # callcentrehelper: 100 calls per half hour, AHT 180 s, 80/20, shrinkage 30 %
    "calls": 100,
    "interval_seconds": 1800,
    "aht_seconds": 180,
    "threshold_seconds": 20,
    "target_service_level": 0.8,
    "shrinkage": 0.3,
}
A_CASE = {**CASE, "patience_seconds": 120}
C_FIELDS = {
    "traffic_erlangs",
    "agents",
    "scheduled_agents",
    "service_level",
    "probability_of_waiting",
    "asa_seconds",
    "occupancy",
}


def test_a_number_gets_numbers(pm_api):
    response = pm_api.post(C_URL, CASE)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert set(body) == C_FIELDS
    assert body["traffic_erlangs"] == 10.0
    assert (body["agents"], body["scheduled_agents"]) == (14, 20)
    assert body["service_level"] == pytest.approx(0.88835, abs=5e-6)
    assert body["probability_of_waiting"] == pytest.approx(0.17413, abs=5e-6)
    assert body["asa_seconds"] == pytest.approx(7.836, abs=5e-4)
    assert body["occupancy"] == pytest.approx(0.71429, abs=5e-6)


def test_a_list_gets_lists_one_item_per_interval(integration_api):
    response = integration_api.post(C_URL, {**CASE, "calls": [100, 0, 100.0], "max_occupancy": 0.7})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["agents"] == [15, 0, 15]
    assert body["scheduled_agents"] == [22, 0, 22]
    assert body["traffic_erlangs"] == [10.0, 0.0, 10.0]
    assert body["service_level"][1] == 1.0
    assert body["asa_seconds"][1] == 0.0


def test_the_defaults_are_half_hours_no_shrinkage_and_no_occupancy_cap(admin_api):
    body = {
        key: value for key, value in CASE.items() if key not in ("interval_seconds", "shrinkage")
    }
    answer = admin_api.post(C_URL, body).json()
    assert (answer["traffic_erlangs"], answer["agents"], answer["scheduled_agents"]) == (
        10.0,
        14,
        14,
    )


def test_given_agents_are_evaluated_not_searched(pm_api):
    body = pm_api.post(C_URL, {**CASE, "calls": [100, 100], "agents": [10, 15]}).json()
    assert body["agents"] == [10, 15]
    assert body["scheduled_agents"] == [15, 22]
    # 10 agents for 10 Erlangs: the queue never empties.
    assert body["probability_of_waiting"][0] == 1.0
    assert body["service_level"][0] == 0.0
    assert body["asa_seconds"][0] is None
    assert body["occupancy"] == [1.0, pytest.approx(10 / 15)]


def test_one_agents_number_applies_to_every_interval(pm_api):
    body = pm_api.post(C_URL, {**CASE, "calls": [100, 50], "agents": 14}).json()
    assert body["agents"] == [14, 14]


def test_erlang_a_also_answers_the_abandons(pm_api):
    response = pm_api.post(A_URL, A_CASE)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert set(body) == C_FIELDS | {"probability_of_abandon"}
    assert body["traffic_erlangs"] == 10.0
    assert body["service_level"] >= 0.8
    assert 0 < body["probability_of_abandon"] < 0.1
    fewer = pm_api.post(A_URL, {**A_CASE, "agents": body["agents"] - 1}).json()
    assert fewer["service_level"] < 0.8


def test_erlang_a_lists(pm_api):
    body = pm_api.post(A_URL, {**A_CASE, "calls": [0, 100], "agents": [0, 3]}).json()
    assert body["agents"] == [0, 3]
    assert body["probability_of_abandon"][0] == 0.0
    assert body["probability_of_abandon"][1] > 0.5


@pytest.mark.parametrize("url", [C_URL, A_URL])
def test_anonymous_is_refused(anon_api, url):
    assert anon_api.post(url, A_CASE, format="json").status_code == 401


BAD_FIELDS = [
    ("calls", -1),
    ("calls", [100, -5]),
    ("calls", []),
    ("calls", [1] * 10_001),
    ("calls", "many"),
    ("calls", True),
    ("calls", [[1]]),
    ("calls", 1e300),
    ("calls", None),
    ("interval_seconds", 0),
    ("interval_seconds", 1.5),
    ("aht_seconds", 0),
    ("aht_seconds", 1e300),
    ("threshold_seconds", -1),
    ("target_service_level", 1.5),
    ("target_service_level", -0.1),
    ("shrinkage", 1),
    ("shrinkage", -0.1),
    ("max_occupancy", 0),
    ("max_occupancy", 1.01),
    ("agents", -1),
    ("agents", 2.5),
    ("agents", [14, 14]),  # calls is one number
    ("agents", 10**9),
]


@pytest.mark.parametrize("url", [C_URL, A_URL])
@pytest.mark.parametrize(("field", "value"), BAD_FIELDS, ids=lambda v: repr(v)[:20])
def test_each_bad_field_is_a_400_naming_it(pm_api, url, field, value):
    response = pm_api.post(url, {**A_CASE, field: value}, format="json")
    assert response.status_code == 400, response.content[:300]
    assert field in response.json()["errors"]


def test_a_bad_list_item_is_named_by_its_index(pm_api):
    errors = pm_api.post(C_URL, {**CASE, "calls": [1, -1, 2, "x"]}).json()["errors"]
    assert set(errors["calls"]) == {"1", "3"}


def test_agents_must_match_the_intervals(pm_api):
    response = pm_api.post(C_URL, {**CASE, "calls": [100, 100, 100], "agents": [14, 14]})
    assert response.status_code == 400
    assert "agents" in response.json()["errors"]


@pytest.mark.parametrize("url", [C_URL, A_URL])
@pytest.mark.parametrize(
    "field", ["calls", "aht_seconds", "threshold_seconds", "target_service_level"]
)
def test_each_required_field_is_named_when_missing(pm_api, url, field):
    body = {key: value for key, value in A_CASE.items() if key != field}
    response = pm_api.post(url, body)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_patience_is_required_by_erlang_a_only(pm_api):
    assert pm_api.post(C_URL, CASE).status_code == 200
    response = pm_api.post(A_URL, CASE)
    assert response.status_code == 400
    assert "patience_seconds" in response.json()["errors"]


@pytest.mark.parametrize("url", [C_URL, A_URL])
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"calls": 1_000_000, "interval_seconds": 60, "aht_seconds": 600}, "calls"),
        ({"max_occupancy": 1e-6}, "max_occupancy"),
    ],
)
def test_huge_numbers_are_a_400_not_a_500(pm_api, url, change, field):
    response = pm_api.post(url, {**A_CASE, **change})
    assert response.status_code == 400, response.content[:300]
    assert field in response.json()["errors"]


def test_a_target_of_one_is_met_where_floats_end(pm_api):
    # Nothing short of infinitely many agents answers every call at once; 1 is met within
    # the comparison's float tolerance (erlang.TOLERANCE), a few agents later.
    body = pm_api.post(C_URL, {**CASE, "target_service_level": 1}).json()
    assert body["service_level"] >= 1 - 1e-9
    assert 14 < body["agents"] < 60


def test_a_long_week_of_intervals(pm_api):
    calls = [(i * 37) % 300 for i in range(672)]
    response = pm_api.post(C_URL, {**CASE, "interval_seconds": 900, "calls": calls})
    assert response.status_code == 200
    assert len(response.json()["agents"]) == 672


def test_an_erlang_a_request_past_the_work_cap_is_a_400_naming_calls(admin_api):
    body = {
        "calls": [20000] * 1000,  # 1,000 intervals of 2,000 Erlangs: 2,000,000 in all
        "interval_seconds": 1800,
        "aht_seconds": 180,
        "threshold_seconds": 20,
        "target_service_level": 0.8,
        "patience_seconds": 120,
    }

    response = admin_api.post("/api/v1/staffing/erlang-a/", body, format="json")

    assert response.status_code == 400
    assert response.json()["errors"]["calls"] == [
        "Too much work for one request: 2,000,000 Erlangs over all intervals; at most "
        "1,000,000. Split the intervals."
    ]
