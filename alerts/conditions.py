"""The registry of alert conditions: a code -> an evaluator judging every project at once.

An evaluator takes the active projects and the instant and answers ``{project_id: Reading}``
(``None`` as the key for a pool-wide reading). A project left out of the answer is not
breached: its open alert, if any, clears; a reading with ``breached=None`` (not judged yet)
leaves it as it is. Apps above this one add conditions by name with ``register`` (the live
state's and the adherence conditions: docs/alerts.md).
"""

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise

from projects.models import Project

StrOrPromise = str | Promise


@dataclass(frozen=True)
class Reading:
    """One condition judged for one project: breached or not, the value and its limit.
    ``breached`` ``None``: not judged yet (data still coming); the alert's state stays."""

    breached: bool | None
    value: Decimal | float | int | None
    threshold: Decimal | float | int | None
    detail: str


# Keys: project ids, or None for a pool-wide reading (Any: Mapping is invariant in its key).
Evaluator = Callable[[Sequence[Project], dt.datetime], Mapping[Any, Reading]]


@dataclass(frozen=True)
class Condition:
    code: str
    label: StrOrPromise  # lazy: read in the language of the moment (condition_label)
    evaluate: Evaluator
    live: bool = False  # also judged right after a live update of a project


_REGISTRY: dict[str, Condition] = {}


def register(
    code: str, label: StrOrPromise, *, live: bool = False
) -> Callable[[Evaluator], Evaluator]:
    """Decorator: ``evaluate`` becomes the condition ``code`` (registered once)."""

    def decorate(evaluate: Evaluator) -> Evaluator:
        if code in _REGISTRY and _REGISTRY[code].evaluate is not evaluate:
            raise ValueError(f"Alert condition {code!r} is registered twice.")
        _REGISTRY[code] = Condition(code=code, label=label, evaluate=evaluate, live=live)
        return evaluate

    return decorate


def conditions(codes: Sequence[str] | None = None, *, live_only: bool = False) -> list[Condition]:
    """The registered conditions (``codes``: only those), in registration order."""
    found = [c for c in _REGISTRY.values() if codes is None or c.code in codes]
    return [c for c in found if c.live or not live_only]


def condition_label(code: str) -> str:
    """The condition's label in the active language, or its code if no app registers it
    any more."""
    registered = _REGISTRY.get(code)
    return str(registered.label) if registered else code


def condition_codes() -> list[str]:
    return list(_REGISTRY)
