"""KPI ratios from counters (calls.kpis): pure functions, no database."""

import json
from pathlib import Path

import pytest

from calls import kpis

# The published example (../shared/data/service_level_vectors.json), copied beside the tests
# so the suite runs from a clone alone; test_the_copy_matches_the_published_file checks it.
VECTORS_FILE = Path(__file__).resolve().parent / "data" / "service_level_vectors.json"
PUBLISHED_FILE = Path(__file__).resolve().parents[3] / "shared" / "data" / VECTORS_FILE.name
VECTORS = json.loads(VECTORS_FILE.read_text())


@pytest.mark.skipif(not PUBLISHED_FILE.exists(), reason="../shared is not beside this clone")
def test_the_copy_matches_the_published_file():
    assert json.loads(PUBLISHED_FILE.read_text()) == VECTORS


def counters(**values):
    return {**dict.fromkeys(kpis.PROJECT_COUNTERS, 0), **values}


@pytest.mark.parametrize("formula", kpis.SL_FORMULAS)
def test_each_service_level_formula_on_the_published_example(formula):
    example = counters(**VECTORS["counters"])
    assert round(kpis.service_level(example, formula), 5) == VECTORS["expect"][formula]


def test_the_published_example_by_hand():
    c = counters(**VECTORS["counters"])
    assert kpis.service_level(c, "offered_minus_short") == 860 / (1060 - 10)
    assert kpis.service_level(c, "answered_only") == 860 / 1000
    assert kpis.service_level(c, "exclude_early_abandons") == 860 / (1000 + 60 - 20)
    assert kpis.service_level(c, "early_abandons_as_met") == (860 + 20) / (1000 + 60)
    assert kpis.abandon_rate(c) == (60 - 10) / (1060 - 10)


def test_every_ratio_of_a_small_set():
    c = counters(
        offered=7, answered=3, abandoned=4, short_abandoned=1, answered_within_threshold=2,
        abandoned_within_threshold=3, wait_seconds_answered=51, talk_seconds=180,
        hold_seconds=15, wrap_seconds=25,
    )  # fmt: skip
    assert kpis.project_ratios(c, sl_formula="offered_minus_short") == {
        "service_level": 2 / 6,
        "asa_seconds": 17.0,
        "aht_seconds": 220 / 3,
        "abandon_rate": 3 / 6,
    }
    assert kpis.project_ratios(c, sl_formula="exclude_early_abandons")["service_level"] == 2 / 4
    assert kpis.project_ratios(c, sl_formula="early_abandons_as_met")["service_level"] == 5 / 7


@pytest.mark.parametrize("formula", kpis.SL_FORMULAS)
def test_no_calls_is_null_not_zero(formula):
    empty = counters()
    assert kpis.service_level(empty, formula) is None
    assert kpis.project_ratios(empty, sl_formula=formula) == dict.fromkeys(kpis.PROJECT_RATIOS)


def test_only_short_abandons_leave_service_level_and_abandon_rate_undefined():
    c = counters(offered=2, abandoned=2, short_abandoned=2, abandoned_within_threshold=2)
    assert kpis.service_level(c, "offered_minus_short") is None
    assert kpis.abandon_rate(c) is None
    assert kpis.asa_seconds(c) is None  # nobody answered
    assert kpis.service_level(c, "early_abandons_as_met") == 1.0
    assert kpis.service_level(c, "exclude_early_abandons") is None


def test_an_unknown_formula_is_an_error():
    with pytest.raises(ValueError, match="formula"):
        kpis.service_level(counters(offered=1), "best_effort")


def test_occupancy_utilization_and_shrinkage():
    c = {"staffed_seconds": 3600, "break_seconds": 1200, "handle_seconds": 2700}
    assert kpis.occupancy_ratios(c) == {
        "occupancy": 0.75,
        "utilization": 2700 / 4800,
        "shrinkage": 0.25,
    }


def test_occupancy_above_one_is_reported_not_clipped():
    assert kpis.occupancy({"staffed_seconds": 600, "handle_seconds": 900}) == 1.5


def test_occupancy_without_staffed_time_is_null():
    c = {"staffed_seconds": 0, "break_seconds": 0, "handle_seconds": 120}
    assert kpis.occupancy_ratios(c) == {"occupancy": None, "utilization": None, "shrinkage": None}


def test_counters_add():
    rows = [counters(offered=2, answered=1), counters(offered=3, answered=3)]
    assert kpis.add_counters(rows, ("offered", "answered")) == {"offered": 5, "answered": 4}
