"""Turnover per calendar month, from the lifecycle history (docs/people.md).

An operator's **spell** runs from a move into ``active`` (the hire; a rehire's activation
opens a new spell) to the move out of it (the dismissal; its date is the last day
worked). Per month, first day F to last day L:

- ``hires``: spells starting in [F, L] (``rehires``: those of an operator with an
  earlier spell, included in ``hires``);
- ``leavers``: spells ending in [F, L], i.e. dismissals of active operators;
  dismissals of candidates and trainees are ``training_dropouts``, outside the turnover;
- ``headcount_start``: spells started before F and not ended before F; ``headcount_end``:
  spells started by L and not ended by L; so end = start + hires - leavers;
- ``turnover_rate`` = leavers / ((headcount_start + headcount_end) / 2), ``None`` when
  that average is 0;
- ``average_tenure_days``: over the spells running at L, days from the hire to L, both
  included; ``average_leaver_tenure_days``: over the leavers, hire to last day, both
  included; ``None`` over nobody.

Figures are exact ``Fraction``s; the API rounds them. An operator without any history (made
through the operators API with a hire date) counts from ``hired_on`` to ``left_on``.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from agents.models import Certification, Operator, OperatorStatusChange
from contactcenter.api.fields import month_or_none
from contactcenter.periods import MAX_DATE, MIN_DATE

MAX_MONTHS = 120


def _month_error() -> str:
    return _("Send a month as YYYY-MM between %(first)s and %(last)s.") % {
        "first": f"{MIN_DATE:%Y-%m}",
        "last": f"{MAX_DATE:%Y-%m}",
    }


def turnover_months(data) -> tuple[dict, dict]:
    """The ``from`` and ``to`` months of a turnover query (YYYY-MM, at most MAX_MONTHS):
    ``(months, errors)``, errors by field name. The API's query serializer and the People
    admin page both check with it."""
    errors, months = {}, {}
    for name in ("from", "to"):
        raw = data.get(name)
        month = month_or_none(raw) if isinstance(raw, str) else None
        if month is None:
            errors[name] = [_month_error() if raw else _("This field is required.")]
        months[name] = month
    start, end = months["from"], months["to"]
    if start is not None and end is not None:
        span = (end.year - start.year) * 12 + (end.month - start.month)
        if span < 0:
            errors["to"] = [_("Cannot be before from.")]
        elif span >= MAX_MONTHS:
            errors["to"] = [_("At most %(count)s months at once.") % {"count": MAX_MONTHS}]
    return months, errors


ACTIVE, DISMISSED = Operator.Status.ACTIVE.value, Operator.Status.DISMISSED.value


@dataclass(frozen=True)
class Spell:
    operator_id: int
    start: dt.date
    end: dt.date | None = None  # the last day worked
    reason: str = ""
    rehire: bool = False


@dataclass(frozen=True)
class MonthFigures:
    month: dt.date  # the first day
    headcount_start: int
    headcount_end: int
    hires: int
    rehires: int
    leavers: int
    leavers_by_reason: dict = field(default_factory=dict)
    training_dropouts: int = 0
    turnover_rate: Fraction | None = None
    average_tenure_days: Fraction | None = None
    average_leaver_tenure_days: Fraction | None = None


# --- Pure -------------------------------------------------------------------------------------


def month_bounds(month):
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def months_between(first, last):
    """The first days of the months from ``first``'s to ``last``'s, both included."""
    month = first.replace(day=1)
    while month <= last:
        yield month
        month = (month + dt.timedelta(days=32)).replace(day=1)


def spells_from_history(changes, *, undocumented=()):
    """Spells and training dropouts from history rows ``(operator_id, from_status,
    to_status, effective_on, reason)`` in order (operator, effective_on, id), plus the
    ``undocumented`` operators ``(operator_id, hired_on, left_on)`` that have no history."""
    spells, dropouts = [], []
    open_spells, seen = {}, set()
    for operator_id, from_status, to_status, on, reason in changes:
        if to_status == ACTIVE:
            open_spells[operator_id] = Spell(operator_id, on, rehire=operator_id in seen)
            seen.add(operator_id)
        elif from_status == ACTIVE and operator_id in open_spells:
            spell = open_spells.pop(operator_id)
            spells.append(Spell(operator_id, spell.start, on, reason, spell.rehire))
        elif to_status == DISMISSED:
            dropouts.append((operator_id, on))
    spells.extend(open_spells.values())
    for operator_id, hired_on, left_on in undocumented:
        if hired_on is not None:
            spells.append(Spell(operator_id, hired_on, left_on, ""))
    return spells, dropouts


def _days(start, end):
    return (end - start).days + 1


def _mean(values):
    return Fraction(sum(values), len(values)) if values else None


def month_figures(spells, dropouts, month):
    first, last = month_bounds(month)
    start = [s for s in spells if s.start < first and (s.end is None or s.end >= first)]
    end = [s for s in spells if s.start <= last and (s.end is None or s.end > last)]
    hires = [s for s in spells if first <= s.start <= last]
    leavers = [s for s in spells if s.end is not None and first <= s.end <= last]
    average = Fraction(len(start) + len(end), 2)
    return MonthFigures(
        month=first,
        headcount_start=len(start),
        headcount_end=len(end),
        hires=len(hires),
        rehires=sum(s.rehire for s in hires),
        leavers=len(leavers),
        leavers_by_reason=dict(sorted(Counter(s.reason or "unknown" for s in leavers).items())),
        training_dropouts=sum(first <= on <= last for _, on in dropouts),
        turnover_rate=Fraction(len(leavers)) / average if average else None,
        average_tenure_days=_mean([_days(s.start, last) for s in end]),
        average_leaver_tenure_days=_mean([_days(s.start, s.end) for s in leavers]),
    )


def rounded(value, places):
    """A Fraction as a Decimal rounded half-up to ``places`` (``None`` stays ``None``)."""
    if value is None:
        return None
    exponent = Decimal(1).scaleb(-places)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        exponent, rounding=ROUND_HALF_UP
    )


def as_row(figures):
    """The API's and the admin page's row: rates to 4 decimals, days to 1."""
    rate, tenure, leaver = (
        rounded(figures.turnover_rate, 4),
        rounded(figures.average_tenure_days, 1),
        rounded(figures.average_leaver_tenure_days, 1),
    )
    return {
        "month": f"{figures.month:%Y-%m}",
        "headcount_start": figures.headcount_start,
        "headcount_end": figures.headcount_end,
        "hires": figures.hires,
        "rehires": figures.rehires,
        "leavers": figures.leavers,
        "leavers_by_reason": figures.leavers_by_reason,
        "training_dropouts": figures.training_dropouts,
        "turnover_rate": None if rate is None else str(rate),
        "average_tenure_days": None if tenure is None else str(tenure),
        "average_leaver_tenure_days": None if leaver is None else str(leaver),
    }


# --- Database ---------------------------------------------------------------------------------


def turnover(*, first_month, last_month):
    """Figures for every month from ``first_month`` to ``last_month`` (dates, any day)."""
    _start, until = month_bounds(last_month)
    changes = (
        OperatorStatusChange.objects.filter(effective_on__lte=until)
        .order_by("operator_id", "effective_on", "id")
        .values_list("operator_id", "from_status", "to_status", "effective_on", "reason")
    )
    undocumented = Operator.objects.filter(
        status_changes__isnull=True, hired_on__isnull=False, hired_on__lte=until
    ).values_list("pk", "hired_on", "left_on")
    spells, dropouts = spells_from_history(list(changes), undocumented=list(undocumented))
    # A spell's end after ``until`` is not known yet at that month's end.
    spells = [
        s if s.end is None or s.end <= until else Spell(s.operator_id, s.start, None, "", s.rehire)
        for s in spells
    ]
    return [month_figures(spells, dropouts, m) for m in months_between(first_month, last_month)]


def certified_active_counts(projects):
    """{project id: active operators certified on it} (bench strength's supply)."""
    rows = (
        Certification.objects.filter(project__in=projects)
        .values("project_id")
        .annotate(n=Count("operator", filter=Q(operator__status=ACTIVE), distinct=True))
    )
    counts = {project.pk: 0 for project in projects}
    counts.update({row["project_id"]: row["n"] for row in rows})
    return counts
