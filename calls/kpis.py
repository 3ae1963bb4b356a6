"""KPI ratios from additive counters (SPEC sections 4 and 5): plain functions, no database.

Every ratio takes the counters of any period (an interval, an hour, a month: counters add)
and returns a ``float``, or ``None`` when its denominator is 0: "no calls" is not "0%
service level", and the API shows it as ``null``.
"""

from collections.abc import Iterable, Mapping, Sequence

# Counters of a period by name (ints from the rollups; sums may come back as floats).
Counters = Mapping[str, float]

PROJECT_COUNTERS = (
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "answered_within_threshold",
    "abandoned_within_threshold",
    "wait_seconds_answered",
    "talk_seconds",
    "hold_seconds",
    "wrap_seconds",
    # Inbound calls of a reserve project offered inside the client's own business hours
    # (``Call.inside_client_hours``); always 0 on a full-service project.
    "reserve_inside_hours",
)
PROJECT_RATIOS = ("service_level", "asa_seconds", "aht_seconds", "abandon_rate")

OCCUPANCY_COUNTERS = ("staffed_seconds", "break_seconds", "handle_seconds")
OCCUPANCY_RATIOS = ("occupancy", "utilization", "shrinkage")

SL_FORMULAS = (
    "offered_minus_short",
    "answered_only",
    "exclude_early_abandons",
    "early_abandons_as_met",
)


def ratio(numerator: float, denominator: float) -> float | None:
    """``numerator / denominator``, or ``None`` when the denominator is 0."""
    if not denominator:
        return None
    return numerator / denominator


def service_level(c: Counters, formula: str = "offered_minus_short") -> float | None:
    """Share of calls answered within the threshold, by the project's ``sl_formula``."""
    if formula == "offered_minus_short":
        return ratio(c["answered_within_threshold"], c["offered"] - c["short_abandoned"])
    if formula == "answered_only":
        return ratio(c["answered_within_threshold"], c["answered"])
    if formula == "exclude_early_abandons":
        return ratio(
            c["answered_within_threshold"],
            c["answered"] + c["abandoned"] - c["abandoned_within_threshold"],
        )
    if formula == "early_abandons_as_met":
        return ratio(
            c["answered_within_threshold"] + c["abandoned_within_threshold"],
            c["answered"] + c["abandoned"],
        )
    raise ValueError(f"Unknown service level formula {formula!r}; one of {SL_FORMULAS}.")


def asa_seconds(c: Counters) -> float | None:
    """Average speed of answer: wait of answered calls / answered."""
    return ratio(c["wait_seconds_answered"], c["answered"])


def aht_seconds(c: Counters) -> float | None:
    """Average handle time: (talk + hold + wrap) / answered."""
    return ratio(c["talk_seconds"] + c["hold_seconds"] + c["wrap_seconds"], c["answered"])


def abandon_rate(c: Counters) -> float | None:
    """(abandoned - short abandons) / (offered - short abandons)."""
    return ratio(c["abandoned"] - c["short_abandoned"], c["offered"] - c["short_abandoned"])


def project_ratios(
    c: Counters, *, sl_formula: str = "offered_minus_short"
) -> dict[str, float | None]:
    return {
        "service_level": service_level(c, sl_formula),
        "asa_seconds": asa_seconds(c),
        "aht_seconds": aht_seconds(c),
        "abandon_rate": abandon_rate(c),
    }


def occupancy(c: Counters) -> float | None:
    """handle / staffed. Not clipped: above 1 means bad data, and is reported as it is."""
    return ratio(c["handle_seconds"], c["staffed_seconds"])


def utilization(c: Counters) -> float | None:
    """handle / (staffed + break)."""
    return ratio(c["handle_seconds"], c["staffed_seconds"] + c["break_seconds"])


def shrinkage(c: Counters) -> float | None:
    """break / (staffed + break)."""
    return ratio(c["break_seconds"], c["staffed_seconds"] + c["break_seconds"])


def occupancy_ratios(c: Counters) -> dict[str, float | None]:
    return {"occupancy": occupancy(c), "utilization": utilization(c), "shrinkage": shrinkage(c)}


def add_counters(rows: Iterable[Counters], names: Sequence[str]) -> dict[str, float]:
    """The sum of each counter in ``names`` over ``rows`` (counters are additive)."""
    totals: dict[str, float] = dict.fromkeys(names, 0)
    for row in rows:
        for name in names:
            totals[name] += row[name]
    return totals
