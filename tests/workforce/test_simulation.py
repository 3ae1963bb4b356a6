"""The simulator (workforce.simulation): checked against queueing theory, deterministic, strict
about its input, and stored through the ingestion services."""

import copy
import datetime as dt

import numpy as np
import pytest
from django.core.management import call_command

from agents.models import AgentStateEvent, Certification, Operator, Shift
from calls.models import Call
from projects.models import Client, Project
from workforce import erlang
from workforce.simulation.engine import simulate, summarise
from workforce.simulation.load import simulation_store
from workforce.simulation.scenario import ScenarioError, scenario_parse

# Steady state: one project, constant arrivals, exponential handle times, N operators on
# duty around the clock with no breaks. A = 160 calls/h * 180 s / 3600 s = 8 erlangs, N = 10.
RATE, AHT, AGENTS, THRESHOLD, DAYS = 160, 180, 10, 20, 40


def _steady(*, seed=1, patience=None, rate=RATE, agents=AGENTS, days=DAYS):
    return scenario_parse(
        {
            "start": "2026-01-05",
            "days": days,
            "seed": seed,
            "client": "theory",
            "projects": [
                {
                    "code": "mmn",
                    "timezone": "UTC",
                    "calls_per_hour": rate,
                    "aht_seconds": AHT,
                    "aht_distribution": "exponential",
                    "patience_seconds": patience,
                    "sl_threshold_seconds": THRESHOLD,
                    "short_abandon_seconds": 0,
                }
            ],
            "operators": [
                {"count": agents, "projects": ["mmn"], "shift": "00:00-24:00", "break_minutes": 0}
            ],
        }
    )


def _daily_batches(result, values, mask):
    """Per simulated day: the mean of ``values`` over the calls in ``mask``."""
    day = (result.offered // 86_400).astype(np.int64)
    return np.array(
        [values[mask & (day == d)].mean() for d in range(result.scenario.days)], dtype=float
    )


def _standard_error(batches):
    return batches.std(ddof=1) / np.sqrt(len(batches))


def test_steady_state_matches_erlang_c():
    """40 days, about 153,600 calls. The tolerances come from the run length: with 40
    one-day batches (each ~3,840 calls, far longer than the queue's memory of a few
    minutes, so the batch means are close to independent) the standard error of the
    service level is ~0.006 and of the ASA ~1.6 s (seeds 1-5 gave SL within 0.011 and ASA
    within 2.9 s of theory). Each tolerance is at least 4 standard errors, asserted below,
    so a correct simulator fails it about once in 15,000 seeds while a wrong routing or
    timing (SL off by several points) fails at once."""
    result = simulate(_steady())
    pool = summarise(result)["pool"]
    theory = erlang.erlang_c(
        RATE * AHT / 3600, AGENTS, aht_seconds=AHT, threshold_seconds=THRESHOLD
    )

    answered = ~np.isnan(result.answered)
    wait = np.where(answered, result.answered, result.ended) - result.offered
    # No patience: nobody abandons, but the few still queued when the window closes (and
    # every shift with it) are never answered.
    assert (result.offered[~answered] > DAYS * 86_400 - 900).all()
    sl_se = _standard_error(_daily_batches(result, (wait <= THRESHOLD).astype(float), answered))
    asa_se = _standard_error(_daily_batches(result, wait, answered))
    sl_tolerance, asa_tolerance, occupancy_tolerance = 0.03, 6.5, 0.01
    assert sl_tolerance >= 4 * sl_se
    assert asa_tolerance >= 4 * asa_se

    assert pool["service_level"] == pytest.approx(float(theory.service_level), abs=sl_tolerance)
    assert pool["asa_seconds"] == pytest.approx(float(theory.asa_seconds), abs=asa_tolerance)
    # Occupancy = carried load / N = A / N = 0.8; it averages ~153,600 handle times, so its
    # error is that of the AHT estimate, 180/sqrt(153,600) ~ 0.46 s, about 0.25%: 1 point.
    assert pool["occupancy"] == pytest.approx(float(theory.occupancy), abs=occupancy_tolerance)


def test_abandonment_matches_erlang_a():
    """A = 8.5 erlangs on 9 operators, mean patience 60 s: Erlang A says 14.2% abandon.
    40 daily batches give a standard error of ~0.0016 on the abandon share; the tolerance
    0.007 is over 4 of them (asserted), and seeds 1-3 came within 0.0027."""
    rate, agents, patience = 170, 9, 60
    result = simulate(_steady(patience=patience, rate=rate, agents=agents))
    pool = summarise(result)["pool"]
    theory = erlang.erlang_a(
        rate * AHT / 3600,
        agents,
        aht_seconds=AHT,
        patience_seconds=patience,
        threshold_seconds=THRESHOLD,
    )
    abandoned = np.isnan(result.answered).astype(float)
    everyone = np.ones(result.calls, dtype=bool)
    tolerance = 0.007
    assert tolerance >= 4 * _standard_error(_daily_batches(result, abandoned, everyone))
    share = pool["abandoned"] / pool["offered"]
    assert share == pytest.approx(float(theory.probability_of_abandon), abs=tolerance)


SMALL = {
    "start": "2026-10-05",
    "days": 1,
    "seed": 7,
    "client": "sim-client",
    "projects": [
        {
            "code": "sim-a",
            "timezone": "Europe/Moscow",
            "calls_per_hour": [0] * 8 + [30] * 10 + [0] * 6,
            "aht_seconds": 120,
            "aht_distribution": "lognormal",
            "patience_seconds": 60,
            "wrap_seconds": 10,
        },
        {
            "code": "sim-b",
            "timezone": "Asia/Vladivostok",
            "calls_per_hour": 10,
            "aht_seconds": 150,
        },
    ],
    "operators": [
        {"count": 2, "projects": ["sim-a", "sim-b"], "shift": "08:00-18:00"},
        {"count": 1, "projects": ["sim-b"], "shift": "00:00-24:00", "break_minutes": 0},
    ],
    "absences": [{"operator": "sim-op002", "day": 0, "kind": "sick"}],
}


def test_same_seed_gives_the_same_calls_and_another_seed_does_not():
    first, second = (simulate(scenario_parse(SMALL)) for _ in range(2))
    for name in ("project", "offered", "answered", "ended", "operator", "caller", "wrap"):
        assert np.array_equal(getattr(first, name), getattr(second, name), equal_nan=True)
    assert first.events == second.events
    other = simulate(scenario_parse({**SMALL, "seed": 8}))
    assert not np.array_equal(first.offered, other.offered)


def test_pooled_and_dedicated_runs_see_the_same_callers():
    pooled = simulate(scenario_parse(SMALL))
    dedicated = simulate(scenario_parse({**SMALL, "routing": "dedicated"}))
    assert np.array_equal(pooled.offered, dedicated.offered)
    # Dedicated: sim-op001 serves only sim-a, so none of its calls are sim-b's.
    assert not ((dedicated.operator == 0) & (dedicated.project == 1)).any()
    assert ((pooled.operator == 0) & (pooled.project == 1)).any()


def test_the_absent_operator_works_no_shift_and_breaks_come_mid_shift():
    result = simulate(scenario_parse(SMALL))
    states = [(op, state) for op, _, state, _ in result.events]
    assert all(op != 1 for op, _ in states)  # sim-op002 is sick on the only day
    assert [s for op, s in states if op == 0] == ["ready", "break", "ready", "offline"]
    assert not (result.operator == 1).any()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda s: s.pop("start"), "start"),
        (lambda s: s.update(days=0), "days"),
        (lambda s: s.update(routing="random"), "routing"),
        (lambda s: s["projects"][0].update(aht_seconds=-1), "projects[0].aht_seconds"),
        (lambda s: s["projects"][1].update(timezone="Mars/Base"), "projects[1].timezone"),
        (lambda s: s["projects"][0].update(calls_per_hour=[1, 2]), "projects[0].calls_per_hour"),
        (
            lambda s: s["projects"][0].update(aht_distribution="gamma"),
            "projects[0].aht_distribution",
        ),
        (lambda s: s["operators"][0].update(shift="8-17"), "operators[0].shift"),
        (lambda s: s["operators"][1].update(projects=["nope"]), "operators[1].projects"),
        (lambda s: s["absences"][0].update(operator="ghost"), "absences[0].operator"),
        (lambda s: s.update(colour="red"), "colour"),
    ],
)
def test_validation_errors_name_the_field(change, field):
    scenario = copy.deepcopy(SMALL)
    change(scenario)
    with pytest.raises(ScenarioError) as raised:
        scenario_parse(scenario)
    assert field in raised.value.errors
    assert field in raised.value.message


@pytest.mark.django_db(transaction=True)
def test_load_creates_what_is_missing_and_stores_through_ingestion():
    existing = Client.objects.create(code="sim-client", legal_name="Already here")
    result = simulate(scenario_parse(SMALL))

    loaded = simulation_store(result)

    assert (loaded.clients, loaded.projects, loaded.operators) == (0, 2, 3)
    assert Project.objects.get(code="sim-a").client == existing
    assert Project.objects.get(code="sim-b").timezone == "Asia/Vladivostok"
    assert set(Certification.objects.values_list("operator__code", "project__code")) == {
        ("sim-op001", "sim-a"),
        ("sim-op001", "sim-b"),
        ("sim-op002", "sim-a"),
        ("sim-op002", "sim-b"),
        ("sim-op003", "sim-b"),
    }
    assert Operator.objects.get(code="sim-op002").absences.get().kind == "sick"
    assert Shift.objects.filter(operator__code="sim-op001").count() == 1
    assert loaded.calls_created == result.calls == Call.objects.count() > 0
    answered = Call.objects.filter(answered_at__isnull=False)
    assert answered.count() == int((~np.isnan(result.answered)).sum())
    first = Call.objects.order_by("offered_at", "external_id").first()
    assert first.external_id.startswith("sim-7-20261005-1d-")
    assert first.offered_at == result.window_start + dt.timedelta(
        seconds=round(float(result.offered.min()))
    )
    assert loaded.events_created == len(result.events) == AgentStateEvent.objects.count()

    again = simulation_store(simulate(scenario_parse(SMALL)))

    assert (again.clients, again.projects, again.operators, again.shifts) == (0, 0, 0, 0)
    assert (again.calls_created, again.calls_duplicates) == (0, result.calls)
    assert (again.events_created, again.events_duplicates) == (0, len(result.events))


@pytest.mark.django_db
def test_simulate_command_dry_run_and_what_if_store_nothing(tmp_path, capsys):
    import json

    path = tmp_path / "s.json"
    path.write_text(json.dumps(SMALL))
    call_command("simulate", scenario=str(path), dry_run=True)
    call_command("simulate", scenario=str(path), what_if=True)
    out = capsys.readouterr().out
    assert "Dry run: nothing stored." in out
    assert "dedicated" in out
    assert "sim-a" in out
    assert not Call.objects.exists()
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_what_if_admin_page_compares_both_routings_and_stores_nothing(client):
    import json

    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    admin_user = get_user_model().objects.create_superuser("root", "r@example.com", "pw")
    client.force_login(admin_user)
    assert 'id="simulation-what-if-link"' in client.get("/admin/").content.decode()
    page = client.get("/admin/simulation/")
    assert page.status_code == 200
    assert "small.json" in page.content.decode()

    shipped = client.post("/admin/simulation/", {"scenario": "small.json", "days": 1})
    upload = SimpleUploadedFile("mine.json", json.dumps(SMALL).encode(), "application/json")
    uploaded = client.post("/admin/simulation/", {"upload": upload})
    broken = SimpleUploadedFile("bad.json", b'{"start": "x"}', "application/json")
    refused = client.post("/admin/simulation/", {"upload": broken})

    assert 'id="what-if-results"' in shipped.content.decode()
    assert 'data-project="sim-hotline"' in shipped.content.decode()
    assert 'data-project="sim-b"' in uploaded.content.decode()
    assert "start: A date, YYYY-MM-DD." in refused.content.decode()
    assert not Call.objects.exists()
