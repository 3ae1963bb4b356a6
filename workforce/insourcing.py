"""The in-house vs outsourcing calculator: plain functions over numbers (Django only for
the explanation's language).

From a project's calls per hour, handle time, service-level target and coverage hours it
prices running the line in-house (operators found by Erlang C with shrinkage, their
salaries and payroll taxes, seats, recruiting and training at a turnover, supervisors, QA,
management overhead) against buying the handled minutes from an outsourcer, and explains
every figure as a line a person can recompute. docs/insourcing.md gives each formula.

Money is ``Decimal`` rounded half-up to kopecks line by line; headcounts and hours are
``Decimal`` rounded half-up to hundredths, and every line is computed from the rounded
figures the lines before it show, so the table adds up by hand. The defaults are
illustrative examples for Russia in 2026, not market facts: every one of them is an input.
"""

import math
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal, localcontext

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from contactcenter.money import money
from workforce import erlang

BUSINESS_HOURS = "business_hours"
ALWAYS_OPEN = "24/7"
COVERAGES = (BUSINESS_HOURS, ALWAYS_OPEN)
HOURS_PER_DAY = 24
WEEKS_PER_MONTH = Decimal(52) / Decimal(12)  # the average month, 4.333... weeks
HUNDREDTH = Decimal("0.01")
RATIO_PLACES = Decimal("0.0001")
# Digits the arithmetic keeps: far past any real budget (the API's input bounds keep every
# figure under 10^30), so no product is ever rounded before the documented points.
PRECISION = 50

WORKLOAD, IN_HOUSE, OUTSOURCED = "workload", "in_house", "outsourced"


class InsourcingInputError(ValueError):
    """Inputs that contradict each other or that Erlang C cannot compute; ``field`` names
    the input to fix."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Inputs:
    """Everything the comparison depends on. The defaults are examples (a small Russian
    inbound line in 2026, amounts in rubles a month), to be replaced by the client's own."""

    # The load: one number for every covered hour, or 24 numbers by local hour 0..23.
    calls_per_hour: float | tuple[float, ...] = 60.0
    coverage: str = BUSINESS_HOURS  # BUSINESS_HOURS or ALWAYS_OPEN
    open_hour: int = 9  # business hours: the first covered hour, 09:00
    close_hour: int = 18  # business hours: covered up to 18:00 (hours 9..17)
    days_per_week: int | None = None  # None: 5 for business hours, 7 for 24/7
    # The service.
    aht_seconds: float = 180.0
    threshold_seconds: float = 20.0
    target_service_level: float = 0.8
    shrinkage: float = 0.3
    max_occupancy: float = 0.85
    hours_per_fte_month: Decimal = Decimal("164")
    # In-house costs, per month unless said otherwise.
    operator_salary: Decimal = Decimal("60000")
    payroll_tax_rate: Decimal = Decimal("0.302")
    workstation_per_seat: Decimal = Decimal("6000")
    software_telephony_per_seat: Decimal = Decimal("4000")
    agents_per_seat: Decimal = Decimal("1")
    annual_turnover: Decimal = Decimal("0.6")
    recruiting_cost_per_hire: Decimal = Decimal("15000")
    training_hours_per_hire: Decimal = Decimal("80")
    trainee_hourly_pay: Decimal = Decimal("250")
    operators_per_supervisor: Decimal = Decimal("15")
    supervisor_salary: Decimal = Decimal("90000")
    operators_per_qa: Decimal = Decimal("40")
    qa_salary: Decimal = Decimal("75000")
    management_overhead_rate: Decimal = Decimal("0.1")
    # The outsourced side.
    price_per_minute: Decimal = Decimal("32")
    billable_share: Decimal = Decimal("0.85")  # of the handle time that is billed
    monthly_minimum: Decimal = Decimal("100000")

    def effective_days_per_week(self) -> int:
        if self.days_per_week is not None:
            return self.days_per_week
        return 7 if self.coverage == ALWAYS_OPEN else 5

    def covered_hours(self) -> list[int]:
        """The local hours of a covered day, e.g. 9..17 for 09:00-18:00."""
        if self.coverage == ALWAYS_OPEN:
            return list(range(HOURS_PER_DAY))
        return list(range(self.open_hour, self.close_hour))

    def hourly_calls(self) -> list[float]:
        """Calls for each of the 24 local hours, as given (one number: the same every hour)."""
        if isinstance(self.calls_per_hour, list | tuple):
            return list(self.calls_per_hour)
        return [self.calls_per_hour] * HOURS_PER_DAY


INPUT_NAMES = tuple(f.name for f in fields(Inputs))


@dataclass(frozen=True)
class Hour:
    """One covered local hour of a day: its load and its staffing."""

    hour: int
    calls: float
    traffic_erlangs: float
    agents: int
    scheduled_agents: int


@dataclass(frozen=True)
class Line:
    """One figure of the explanation. ``quantity`` is what is counted (FTE, seats,
    minutes) in ``unit``; ``amount`` is money a month, or None for a count only."""

    key: str
    section: str  # WORKLOAD, IN_HOUSE or OUTSOURCED
    label: str
    formula: str
    quantity: Decimal | None
    unit: str
    amount: Decimal | None = None


@dataclass(frozen=True)
class Totals:
    in_house: Decimal
    outsourced: Decimal
    saving: Decimal  # in_house - outsourced: what outsourcing saves a month (< 0: costs)
    outsourced_to_in_house: Decimal | None  # None when the in-house cost is 0
    break_even_price_per_minute: Decimal | None  # None when nothing is billed


@dataclass(frozen=True)
class Comparison:
    inputs: Inputs
    hours: list[Hour]
    lines: list[Line]
    totals: Totals
    verdict: str
    line_by_key: dict[str, Line] = field(repr=False, default_factory=dict)


# --- Rounding and formatting ---------------------------------------------------------------


def hundredths(value: Decimal | int) -> Decimal:
    """Half-up to hundredths: the rounding of hours, headcounts and minutes."""
    return Decimal(value).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def _decimal(value: Decimal | float) -> Decimal:
    """A float input as the Decimal its shortest repr names (0.3, not 0.299999...)."""
    return value if isinstance(value, Decimal) else Decimal(repr(float(value)))


def _localized(text: str) -> str:
    """English digits (1,234.5) in the active language's separators (1 234,5 in Russian)."""
    if (get_language() or "").startswith("ru"):
        return text.replace(",", "\xa0").replace(".", ",")
    return text


def _num(value: Decimal | float) -> str:
    """1,234.5 for people: thousands separated, no trailing zeros past the point."""
    value = _decimal(value)
    text = f"{value:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return _localized(text)


def _rub(value: Decimal) -> str:
    return _localized(f"{value:,.2f}")


def _pct(rate: Decimal | float) -> str:
    if (get_language() or "").startswith("ru"):
        return f"{_num(_decimal(rate) * 100)}\xa0%"
    return f"{_num(_decimal(rate) * 100)}%"


def _hh(hour: int) -> str:
    return f"{hour:02d}:00"


# --- The calculation -----------------------------------------------------------------------


def _check(inputs: Inputs) -> None:
    if inputs.coverage not in COVERAGES:
        raise InsourcingInputError(
            _("Coverage is %(business)s or %(always)s.")
            % {"business": repr(BUSINESS_HOURS), "always": repr(ALWAYS_OPEN)},
            field="coverage",
        )
    if inputs.coverage == BUSINESS_HOURS and not 0 <= inputs.open_hour < inputs.close_hour <= 24:
        raise InsourcingInputError(
            _("Business hours need 0 <= open_hour < close_hour <= 24."), field="close_hour"
        )
    if inputs.coverage == ALWAYS_OPEN and inputs.days_per_week not in (None, 7):
        raise InsourcingInputError(
            _("24/7 coverage is 7 days a week: leave days_per_week out or send 7."),
            field="days_per_week",
        )
    if len(inputs.hourly_calls()) != HOURS_PER_DAY:
        raise InsourcingInputError(
            _("Send one number, or 24 numbers: one per local hour 0..23."),
            field="calls_per_hour",
        )


def _staff(inputs: Inputs) -> list[Hour]:
    hours = inputs.covered_hours()
    calls = [inputs.hourly_calls()[hour] for hour in hours]
    try:
        staffing = erlang.staff_erlang_c(
            calls,
            interval_seconds=3600,
            aht_seconds=inputs.aht_seconds,
            threshold_seconds=inputs.threshold_seconds,
            target_service_level=inputs.target_service_level,
            shrinkage=inputs.shrinkage,
            max_occupancy=inputs.max_occupancy,
        )
    except erlang.ErlangInputError as exc:
        culprit = "calls_per_hour" if exc.field == "calls" else exc.field
        raise InsourcingInputError(str(exc), field=culprit) from exc
    return [
        Hour(
            hour=hour,
            calls=float(calls[index]),
            traffic_erlangs=float(staffing.traffic_erlangs[index]),
            agents=int(staffing.agents[index]),
            scheduled_agents=int(staffing.scheduled_agents[index]),
        )
        for index, hour in enumerate(hours)
    ]


def compare(inputs: Inputs) -> Comparison:
    """Price the line in-house and outsourced: the lines, the totals and a verdict."""
    with localcontext(prec=PRECISION):
        return _compare(inputs)


def _compare(inputs: Inputs) -> Comparison:
    """The figures first (``_workload``, ``_in_house``, ``_outsourced``, ``_totals``: pure
    arithmetic), then the lines that explain them (the ``*_lines`` functions: text only)."""
    _check(inputs)
    hours = _staff(inputs)
    workload = _workload(inputs, hours)
    in_house = _in_house(inputs, workload)
    outsourced = _outsourced(inputs, workload)
    totals = _totals(in_house.total, outsourced.total, outsourced.minutes)
    lines = [
        *_workload_lines(inputs, workload),
        *_in_house_lines(inputs, workload, in_house),
        *_outsourced_lines(inputs, workload, outsourced),
    ]
    return Comparison(
        inputs=inputs,
        hours=hours,
        lines=lines,
        totals=totals,
        verdict=_verdict(totals),
        line_by_key={line.key: line for line in lines},
    )


# --- The figures: arithmetic only ----------------------------------------------------------


@dataclass(frozen=True)
class _Workload:
    days: int
    calls_day: Decimal
    calls_month: Decimal
    busiest: Hour | None  # the hour of the highest traffic (the earliest of equals)
    peak_scheduled: int
    daily_hours: int  # scheduled agent-hours of a covered day
    weekly_hours: int
    paid_hours: Decimal
    fte: Decimal


def _workload(inputs: Inputs, hours: list[Hour]) -> _Workload:
    """The calls, and the operators Erlang C needs for them."""
    days = inputs.effective_days_per_week()
    calls_day = sum((_decimal(hour.calls) for hour in hours), Decimal(0))
    daily_hours = sum(hour.scheduled_agents for hour in hours)
    weekly_hours = daily_hours * days
    paid_hours = hundredths(weekly_hours * WEEKS_PER_MONTH)
    return _Workload(
        days=days,
        calls_day=calls_day,
        calls_month=hundredths(calls_day * days * WEEKS_PER_MONTH),
        busiest=max(hours, key=lambda hour: (hour.traffic_erlangs, -hour.hour), default=None),
        peak_scheduled=max((hour.scheduled_agents for hour in hours), default=0),
        daily_hours=daily_hours,
        weekly_hours=weekly_hours,
        paid_hours=paid_hours,
        fte=hundredths(paid_hours / inputs.hours_per_fte_month),
    )


@dataclass(frozen=True)
class _InHouse:
    salaries: Decimal
    supervisors: Decimal
    supervisor_pay: Decimal
    qa: Decimal
    qa_pay: Decimal
    payroll: Decimal
    taxes: Decimal
    seats: Decimal
    workstations: Decimal
    software: Decimal
    hires: Decimal
    recruiting: Decimal
    training_per_hire: Decimal
    training: Decimal
    direct: Decimal  # every line before the overhead
    overhead: Decimal
    total: Decimal


def _in_house(inputs: Inputs, workload: _Workload) -> _InHouse:
    """The in-house cost a month, each figure from the rounded ones before it."""
    fte = workload.fte
    salaries = money(fte * inputs.operator_salary)
    supervisors = hundredths(fte / inputs.operators_per_supervisor)
    supervisor_pay = money(supervisors * inputs.supervisor_salary)
    qa = hundredths(fte / inputs.operators_per_qa)
    qa_pay = money(qa * inputs.qa_salary)
    payroll = salaries + supervisor_pay + qa_pay
    taxes = money(payroll * inputs.payroll_tax_rate)
    seats = Decimal(math.ceil(Decimal(workload.peak_scheduled) / inputs.agents_per_seat))
    workstations = money(seats * inputs.workstation_per_seat)
    software = money(seats * inputs.software_telephony_per_seat)
    hires = hundredths(fte * inputs.annual_turnover / 12)
    recruiting = money(hires * inputs.recruiting_cost_per_hire)
    training_per_hire = money(inputs.training_hours_per_hire * inputs.trainee_hourly_pay)
    training = money(hires * training_per_hire)
    direct = payroll + taxes + workstations + software + recruiting + training
    overhead = money(direct * inputs.management_overhead_rate)
    return _InHouse(
        salaries=salaries,
        supervisors=supervisors,
        supervisor_pay=supervisor_pay,
        qa=qa,
        qa_pay=qa_pay,
        payroll=payroll,
        taxes=taxes,
        seats=seats,
        workstations=workstations,
        software=software,
        hires=hires,
        recruiting=recruiting,
        training_per_hire=training_per_hire,
        training=training,
        direct=direct,
        overhead=overhead,
        total=direct + overhead,
    )


@dataclass(frozen=True)
class _Outsourced:
    minutes: Decimal  # billable minutes a month
    usage: Decimal
    total: Decimal


def _outsourced(inputs: Inputs, workload: _Workload) -> _Outsourced:
    """The outsourced price a month: billable minutes at the price, at least the minimum."""
    minutes = hundredths(
        workload.calls_month * _decimal(inputs.aht_seconds) / 60 * inputs.billable_share
    )
    usage = money(minutes * inputs.price_per_minute)
    return _Outsourced(
        minutes=minutes, usage=usage, total=max(usage, money(inputs.monthly_minimum))
    )


def _totals(in_house: Decimal, outsourced: Decimal, minutes: Decimal) -> Totals:
    return Totals(
        in_house=in_house,
        outsourced=outsourced,
        saving=in_house - outsourced,
        outsourced_to_in_house=(
            (outsourced / in_house).quantize(RATIO_PLACES, rounding=ROUND_HALF_UP)
            if in_house
            else None
        ),
        break_even_price_per_minute=money(in_house / minutes) if minutes else None,
    )


# --- The explanation: text only --------------------------------------------------------------


def _workload_lines(inputs: Inputs, w: _Workload) -> list[Line]:
    days, busiest = w.days, w.busiest
    span = (
        "24/7"
        if inputs.coverage == ALWAYS_OPEN
        else _("%(open)s-%(close)s, %(days)s days a week")
        % {"open": _hh(inputs.open_hour), "close": _hh(inputs.close_hour), "days": days}
    )
    peak_formula = (
        _(
            "Erlang C: %(calls)s calls × %(aht)s s / %(hour)s s = %(traffic)s Erl at %(at)s; "
            "least N answering %(target)s within %(threshold)s s with occupancy at most "
            "%(occupancy)s"
        )
        % {
            "calls": _num(busiest.calls),
            "aht": _num(inputs.aht_seconds),
            "hour": _num(3600),
            "traffic": _localized(f"{busiest.traffic_erlangs:.2f}"),
            "at": _hh(busiest.hour),
            "target": _pct(inputs.target_service_level),
            "threshold": _num(inputs.threshold_seconds),
            "occupancy": _pct(inputs.max_occupancy),
        }
        if busiest is not None
        else _("No covered hour")
    )
    return [
        Line(
            "handled_calls",
            WORKLOAD,
            _("Handled calls a month"),
            _("%(calls)s calls a day (%(span)s) × %(days)s days × 52 / 12 weeks")
            % {"calls": _num(w.calls_day), "span": span, "days": days},
            w.calls_month,
            "calls",
        ),
        Line(
            "peak_agents",
            WORKLOAD,
            _("Agents on the phones in the busiest hour"),
            peak_formula,
            Decimal(busiest.agents if busiest is not None else 0),
            "agents",
        ),
        Line(
            "scheduled_agent_hours",
            WORKLOAD,
            _("Scheduled agent-hours a week"),
            _(
                "Σ over the covered hours of ceil(agents / (1 − %(shrinkage)s)) = %(daily)s a day "
                "× %(days)s days (peak %(peak)s at a time)"
            )
            % {
                "shrinkage": _num(inputs.shrinkage),
                "daily": _num(w.daily_hours),
                "days": days,
                "peak": w.peak_scheduled,
            },
            Decimal(w.weekly_hours),
            "agent-hours",
        ),
        Line(
            "paid_hours",
            WORKLOAD,
            _("Paid operator hours a month"),
            _("%(hours)s agent-hours a week × 52 / 12") % {"hours": _num(w.weekly_hours)},
            w.paid_hours,
            "h",
        ),
        Line(
            "operators_fte",
            WORKLOAD,
            _("Operators (FTE)"),
            _("%(paid)s paid hours / %(per_fte)s h per FTE")
            % {"paid": _num(w.paid_hours), "per_fte": _num(inputs.hours_per_fte_month)},
            w.fte,
            "FTE",
        ),
    ]


def _in_house_lines(inputs: Inputs, w: _Workload, c: _InHouse) -> list[Line]:
    fte = w.fte
    return [
        Line(
            "operator_salaries",
            IN_HOUSE,
            _("Operator salaries"),
            _("%(fte)s FTE × %(salary)s")
            % {"fte": _num(fte), "salary": _rub(inputs.operator_salary)},
            fte,
            "FTE",
            c.salaries,
        ),
        Line(
            "supervisors",
            IN_HOUSE,
            _("Supervisors"),
            _("%(fte)s FTE / %(per)s = %(heads)s × %(salary)s")
            % {
                "fte": _num(fte),
                "per": _num(inputs.operators_per_supervisor),
                "heads": _num(c.supervisors),
                "salary": _rub(inputs.supervisor_salary),
            },
            c.supervisors,
            "FTE",
            c.supervisor_pay,
        ),
        Line(
            "quality_assurance",
            IN_HOUSE,
            _("Quality assurance"),
            _("%(fte)s FTE / %(per)s = %(heads)s × %(salary)s")
            % {
                "fte": _num(fte),
                "per": _num(inputs.operators_per_qa),
                "heads": _num(c.qa),
                "salary": _rub(inputs.qa_salary),
            },
            c.qa,
            "FTE",
            c.qa_pay,
        ),
        Line(
            "payroll_taxes",
            IN_HOUSE,
            _("Payroll taxes"),
            f"({_rub(c.salaries)} + {_rub(c.supervisor_pay)} + {_rub(c.qa_pay)}) "
            f"× {_pct(inputs.payroll_tax_rate)}",
            None,
            "",
            c.taxes,
        ),
        Line(
            "workstations",
            IN_HOUSE,
            _("Workstations"),
            _(
                "ceil(%(peak)s peak scheduled agents / %(per_seat)s agents per seat) = %(seats)s "
                "seats × %(price)s"
            )
            % {
                "peak": w.peak_scheduled,
                "per_seat": _num(inputs.agents_per_seat),
                "seats": _num(c.seats),
                "price": _rub(inputs.workstation_per_seat),
            },
            c.seats,
            "seats",
            c.workstations,
        ),
        Line(
            "software_telephony",
            IN_HOUSE,
            _("Software and telephony"),
            _("%(seats)s seats × %(price)s")
            % {"seats": _num(c.seats), "price": _rub(inputs.software_telephony_per_seat)},
            c.seats,
            "seats",
            c.software,
        ),
        Line(
            "recruiting",
            IN_HOUSE,
            _("Recruiting"),
            _("%(fte)s FTE × %(turnover)s turnover / 12 = %(hires)s hires × %(cost)s")
            % {
                "fte": _num(fte),
                "turnover": _pct(inputs.annual_turnover),
                "hires": _num(c.hires),
                "cost": _rub(inputs.recruiting_cost_per_hire),
            },
            c.hires,
            "hires",
            c.recruiting,
        ),
        Line(
            "training",
            IN_HOUSE,
            _("Training"),
            _("%(hires)s hires × %(hours)s h × %(pay)s = %(hires)s × %(per_hire)s")
            % {
                "hires": _num(c.hires),
                "hours": _num(inputs.training_hours_per_hire),
                "pay": _rub(inputs.trainee_hourly_pay),
                "per_hire": _rub(c.training_per_hire),
            },
            c.hires,
            "hires",
            c.training,
        ),
        Line(
            "management_overhead",
            IN_HOUSE,
            _("Management overhead"),
            _("%(direct)s (all the lines above) × %(rate)s")
            % {"direct": _rub(c.direct), "rate": _pct(inputs.management_overhead_rate)},
            None,
            "",
            c.overhead,
        ),
        Line(
            "in_house_total",
            IN_HOUSE,
            _("In-house total"),
            f"{_rub(c.direct)} + {_rub(c.overhead)}",
            None,
            "",
            c.total,
        ),
    ]


def _outsourced_lines(inputs: Inputs, w: _Workload, o: _Outsourced) -> list[Line]:
    return [
        Line(
            "billable_minutes",
            OUTSOURCED,
            _("Billable minutes"),
            _("%(calls)s calls × %(aht)s s / 60 × %(share)s billable")
            % {
                "calls": _num(w.calls_month),
                "aht": _num(inputs.aht_seconds),
                "share": _pct(inputs.billable_share),
            },
            o.minutes,
            "min",
        ),
        Line(
            "outsourced_minutes",
            OUTSOURCED,
            _("Minutes at the outsourced price"),
            _("%(minutes)s min × %(price)s")
            % {"minutes": _num(o.minutes), "price": _rub(inputs.price_per_minute)},
            o.minutes,
            "min",
            o.usage,
        ),
        Line(
            "outsourced_total",
            OUTSOURCED,
            _("Outsourced total"),
            _("max(%(usage)s, monthly minimum %(minimum)s)")
            % {"usage": _rub(o.usage), "minimum": _rub(inputs.monthly_minimum)},
            None,
            "",
            o.total,
        ),
    ]


def _verdict(totals: Totals) -> str:
    if totals.saving > 0:
        if totals.outsourced_to_in_house is not None:
            verdict = _(
                "Outsourcing is cheaper by %(saving)s a month (%(share)s of the in-house cost)."
            ) % {"saving": _rub(totals.saving), "share": _pct(totals.outsourced_to_in_house)}
        else:
            verdict = _("Outsourcing is cheaper by %(saving)s a month.") % {
                "saving": _rub(totals.saving)
            }
    elif totals.saving < 0:
        verdict = _("In-house is cheaper by %(saving)s a month.") % {"saving": _rub(-totals.saving)}
    else:
        verdict = _("Both cost the same.")
    if totals.break_even_price_per_minute is not None:
        verdict += " " + _("Outsourcing breaks even at %(price)s a billable minute.") % {
            "price": _rub(totals.break_even_price_per_minute)
        }
    return verdict
