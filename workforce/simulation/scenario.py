"""The scenario format of ``manage.py simulate`` (docs/simulation.md): parsing and checking.

Every error names the field it is about (``projects[1].aht_seconds``) so a PM editing a JSON
file by hand finds the mistake at once. Parsing gives frozen dataclasses the engine reads.
"""

import dataclasses
import datetime as dt
import json
import re
import zoneinfo

from django.utils.translation import gettext as _

from contactcenter.errors import DomainError
from projects.models import CODE_REGEX

ROUTINGS = ("pooled", "dedicated")
DISTRIBUTIONS = ("exponential", "lognormal")
ABSENCE_KINDS = ("sick", "vacation", "other")
DEFAULT_LOGNORMAL_SIGMA = 0.6  # the log-scale spread of handle times; see docs/simulation.md
DEFAULT_BREAK_MINUTES = 30  # for shifts of 6 hours or more
BREAK_FROM_SHIFT_HOURS = 6
DEFAULT_QUEUE_TIMEOUT = 3600
DEFAULT_CALLERS = 20_000
MAX_DAYS = 400
_CODE = re.compile(CODE_REGEX)
_SHIFT = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


class ScenarioError(DomainError):
    """A scenario that cannot run; ``details`` maps each field path to its messages."""

    def __init__(self, errors):
        self.errors = errors
        first = next(iter(errors.items()))
        text = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items())
        super().__init__(_("Invalid scenario: %(errors)s") % {"errors": text}, details=errors)
        self.field = first[0]


@dataclasses.dataclass(frozen=True)
class ProjectSpec:
    code: str
    name: str
    client: str
    timezone: str
    calls_per_hour: tuple  # 24 rates by local hour
    weekend_factor: float
    aht_seconds: float
    aht_distribution: str
    aht_sigma: float
    patience_seconds: float | None
    wrap_seconds: int
    sl_threshold_seconds: int
    sl_target: float
    short_abandon_seconds: int
    callers: int


@dataclasses.dataclass(frozen=True)
class OperatorGroup:
    count: int
    projects: tuple
    shift_start: int  # minutes after local midnight
    shift_end: int  # minutes after local midnight; <= start: ends the next day
    shift_timezone: str
    break_minutes: int
    days_off: frozenset  # local weekdays, 0 = Monday


@dataclasses.dataclass(frozen=True)
class AbsenceSpec:
    """Fixed dates (``from``/``to``) or days counted from the scenario's start (``day``,
    ``days``), so a scenario moved to another month (``make demo``) keeps its sick days."""

    operator: str
    first: dt.date | None
    last: dt.date | None
    kind: str
    day: int | None = None
    days: int = 1

    def dates(self, start):
        """``(first, last)`` local dates, both included."""
        if self.day is None:
            return self.first, self.last
        first = start + dt.timedelta(days=self.day)
        return first, first + dt.timedelta(days=self.days - 1)


@dataclasses.dataclass(frozen=True)
class OperatorSpec:
    code: str
    projects: tuple
    group: OperatorGroup


@dataclasses.dataclass(frozen=True)
class Scenario:
    start: dt.date
    days: int
    seed: int
    routing: str
    client: str
    operator_prefix: str
    queue_timeout_seconds: int
    projects: tuple
    operator_groups: tuple
    absences: tuple

    @property
    def operators(self):
        """One ``OperatorSpec`` per operator, coded ``<operator_prefix><n:03d>`` in order."""
        specs, number = [], 0
        for group in self.operator_groups:
            for _number in range(group.count):
                number += 1
                code = f"{self.operator_prefix}{number:03d}"
                specs.append(OperatorSpec(code=code, projects=group.projects, group=group))
        return specs

    @property
    def expected_calls(self) -> int:
        """Calls the scenario offers, at most: every project's hourly rates over its days,
        weekends at the weekend factor when it raises them."""
        per_day = sum(
            sum(project.calls_per_hour) * max(1.0, project.weekend_factor)
            for project in self.projects
        )
        return round(per_day * self.days)

    @property
    def external_id_prefix(self):
        return f"sim-{self.seed}-{self.start:%Y%m%d}-{self.days}d"

    def with_routing(self, routing):
        return dataclasses.replace(self, routing=routing)

    def with_days(self, days, start=None):
        return dataclasses.replace(self, days=days, start=start or self.start)


def scenario_load(path):
    """Read and check a scenario file; ``ScenarioError`` names the field at fault."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except json.JSONDecodeError as error:
        raise ScenarioError(
            {"(file)": [_("Not valid JSON: %(error)s.") % {"error": error}]}
        ) from error
    return scenario_parse(data)


def scenario_parse(data):
    """A ``Scenario`` from the decoded JSON; ``ScenarioError`` with every field at fault."""
    errors = {}
    if not isinstance(data, dict):
        raise ScenarioError({"(scenario)": [_("Must be a JSON object.")]})
    read = _Reader(data, "", errors)
    start = read.date("start")
    days = read.integer("days", minimum=1, maximum=MAX_DAYS)
    seed = read.integer("seed", default=1, minimum=0)
    routing = read.choice("routing", ROUTINGS, default="pooled")
    client = read.code("client")
    prefix = read.code("operator_prefix", default="sim-op")
    timeout = read.integer("queue_timeout_seconds", default=DEFAULT_QUEUE_TIMEOUT, minimum=1)
    projects = tuple(
        _project(item, f"projects[{index}]", client, errors)
        for index, item in enumerate(read.items("projects"))
    )
    codes = [p.code for p in projects if p is not None]
    for index, code in enumerate(codes):
        if code in codes[:index]:
            _add(
                errors, f"projects[{index}].code", _("'%(code)s' is listed twice.") % {"code": code}
            )
    known = {p.code: p for p in projects if p is not None}
    groups = tuple(
        _group(item, f"operators[{index}]", known, errors)
        for index, item in enumerate(read.items("operators"))
    )
    absences = tuple(
        _absence(item, f"absences[{index}]", errors)
        for index, item in enumerate(read.items("absences", required=False))
    )
    for key in data:
        if key not in _TOP_FIELDS:
            _add(errors, key, _("Unknown field."))
    if errors:
        raise ScenarioError(errors)
    scenario = Scenario(
        start=start,
        days=days,
        seed=seed,
        routing=routing,
        client=client,
        operator_prefix=prefix,
        queue_timeout_seconds=timeout,
        projects=projects,
        operator_groups=groups,
        absences=absences,
    )
    operator_codes = {spec.code for spec in scenario.operators}
    for index, absence in enumerate(absences):
        if absence.operator not in operator_codes:
            _add(
                errors,
                f"absences[{index}].operator",
                _("No operator '%(code)s'.") % {"code": absence.operator},
            )
    if errors:
        raise ScenarioError(errors)
    return scenario


_TOP_FIELDS = {
    "start",
    "days",
    "seed",
    "routing",
    "client",
    "operator_prefix",
    "queue_timeout_seconds",
    "projects",
    "operators",
    "absences",
    "description",
}
_PROJECT_FIELDS = {
    "code",
    "name",
    "client",
    "timezone",
    "calls_per_hour",
    "weekend_factor",
    "aht_seconds",
    "aht_distribution",
    "aht_sigma",
    "patience_seconds",
    "wrap_seconds",
    "sl_threshold_seconds",
    "sl_target",
    "short_abandon_seconds",
    "callers",
}
_GROUP_FIELDS = {"count", "projects", "shift", "shift_timezone", "break_minutes", "days_off"}
_ABSENCE_FIELDS = {"operator", "from", "to", "day", "days", "kind"}


def _project(item, path, client, errors):
    read = _Reader(item, path, errors)
    if not read.ok:
        return None
    code = read.code("code")
    rates = read.raw("calls_per_hour")
    profile = None
    if isinstance(rates, bool) or rates is None:
        _add(errors, f"{path}.calls_per_hour", _("A number or a list of 24 numbers is required."))
    elif isinstance(rates, int | float):
        profile = (float(rates),) * 24
    elif isinstance(rates, list) and len(rates) == 24:
        profile = tuple(float(r) if _is_number(r) else None for r in rates)
        if None in profile:
            _add(errors, f"{path}.calls_per_hour", _("Every rate must be a number."))
            profile = None
    else:
        _add(errors, f"{path}.calls_per_hour", _("A number or a list of 24 numbers (local hours)."))
    if profile is not None and min(profile) < 0:
        _add(errors, f"{path}.calls_per_hour", _("Rates cannot be negative."))
    patience = read.number("patience_seconds", default=None, positive=True)
    spec = ProjectSpec(
        code=code,
        name=read.text("name", default=code or ""),
        client=read.code("client", default=client),
        timezone=read.timezone("timezone"),
        calls_per_hour=profile,
        weekend_factor=read.number("weekend_factor", default=1.0, minimum=0),
        aht_seconds=read.number("aht_seconds", positive=True),
        aht_distribution=read.choice("aht_distribution", DISTRIBUTIONS, default="exponential"),
        aht_sigma=read.number("aht_sigma", default=DEFAULT_LOGNORMAL_SIGMA, positive=True),
        patience_seconds=patience,
        wrap_seconds=read.integer("wrap_seconds", default=0, minimum=0),
        sl_threshold_seconds=read.integer("sl_threshold_seconds", default=20, minimum=0),
        sl_target=read.number("sl_target", default=0.8, minimum=0, maximum=1),
        short_abandon_seconds=read.integer("short_abandon_seconds", default=5, minimum=0),
        callers=read.integer("callers", default=DEFAULT_CALLERS, minimum=1, maximum=10**7),
    )
    read.reject_unknown(_PROJECT_FIELDS)
    return spec


def _group(item, path, projects, errors):
    read = _Reader(item, path, errors)
    if not read.ok:
        return None
    count = read.integer("count", minimum=1, maximum=10_000)
    codes = read.raw("projects")
    if not isinstance(codes, list) or not codes or not all(isinstance(c, str) for c in codes):
        _add(errors, f"{path}.projects", _("A non-empty list of project codes is required."))
        codes = []
    for code in codes:
        if code not in projects:
            _add(
                errors,
                f"{path}.projects",
                _("'%(code)s' is not a project of the scenario.") % {"code": code},
            )
    if len(set(codes)) != len(codes):
        _add(errors, f"{path}.projects", _("A project is listed twice."))
    shift = read.raw("shift", "00:00-24:00")
    start = end = None
    match = _SHIFT.match(shift) if isinstance(shift, str) else None
    if match:
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 < 24 and m1 < 60 and m2 < 60 and (h2 < 24 or (h2, m2) == (24, 0)):
            start, end = h1 * 60 + m1, h2 * 60 + m2
    if start is None:
        _add(errors, f"{path}.shift", _('Must look like "09:00-18:00" (end 24:00 allowed).'))
    default_tz = projects[codes[0]].timezone if codes and codes[0] in projects else "UTC"
    shift_tz = read.timezone("shift_timezone", default=default_tz)
    length = 0 if start is None else (end - start) % 1440 or 1440
    default_break = DEFAULT_BREAK_MINUTES if length >= BREAK_FROM_SHIFT_HOURS * 60 else 0
    break_minutes = read.integer("break_minutes", default=default_break, minimum=0)
    if break_minutes and break_minutes >= length:
        _add(errors, f"{path}.break_minutes", _("Must be shorter than the shift."))
    days_off = read.raw("days_off", [])
    if not isinstance(days_off, list) or not all(
        isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6 for d in days_off
    ):
        _add(errors, f"{path}.days_off", _("A list of weekdays, 0 (Monday) to 6 (Sunday)."))
        days_off = []
    read.reject_unknown(_GROUP_FIELDS)
    return OperatorGroup(
        count=count,
        projects=tuple(codes),
        shift_start=start,
        shift_end=end,
        shift_timezone=shift_tz,
        break_minutes=break_minutes,
        days_off=frozenset(days_off),
    )


def _absence(item, path, errors):
    read = _Reader(item, path, errors)
    if not read.ok:
        return None
    first = last = day = None
    days = 1
    if "day" in item:
        day = read.integer("day", minimum=0)
        days = read.integer("days", default=1, minimum=1)
    else:
        first = read.date("from")
        last = read.date("to", default=first)
        if first and last and last < first:
            _add(errors, f"{path}.to", _("Cannot be before 'from'."))
    spec = AbsenceSpec(
        operator=read.text("operator"),
        first=first,
        last=last,
        kind=read.choice("kind", ABSENCE_KINDS, default="sick"),
        day=day,
        days=days,
    )
    read.reject_unknown(_ABSENCE_FIELDS)
    return spec


def _add(errors, field, message):
    errors.setdefault(field, []).append(message)


def _is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


_MISSING = object()


class _Reader:
    """Reads the fields of one JSON object, recording an error per field at fault."""

    def __init__(self, data, path, errors):
        self.data, self.path, self.errors = data, path, errors
        self.ok = isinstance(data, dict)
        if not self.ok:
            _add(errors, path, _("Must be a JSON object."))
            self.data = {}

    def _name(self, key):
        return f"{self.path}.{key}" if self.path else key

    def _error(self, key, message):
        _add(self.errors, self._name(key), message)

    def raw(self, key, default=_MISSING):
        if self.data.get(key) is None:
            if default is _MISSING:
                self._error(key, _("This field is required."))
                return None
            return default
        return self.data[key]

    def integer(self, key, default=_MISSING, minimum=None, maximum=None):
        value = self.raw(key, default)
        if value is None or value is default:
            return value
        if not isinstance(value, int) or isinstance(value, bool):
            self._error(key, _("Must be a whole number."))
            return None
        return self._bounded(key, value, minimum, maximum)

    def number(self, key, default=_MISSING, minimum=None, maximum=None, positive=False):
        value = self.raw(key, default)
        if value is None or value is default:
            return value
        if not _is_number(value):
            self._error(key, _("Must be a number."))
            return None
        if positive and value <= 0:
            self._error(key, _("Must be above 0."))
            return None
        return self._bounded(key, float(value), minimum, maximum)

    def _bounded(self, key, value, minimum, maximum):
        if minimum is not None and value < minimum:
            self._error(key, _("Must be at least %(minimum)s.") % {"minimum": minimum})
            return None
        if maximum is not None and value > maximum:
            self._error(key, _("Must be at most %(maximum)s.") % {"maximum": maximum})
            return None
        return value

    def text(self, key, default=_MISSING):
        value = self.raw(key, default)
        if value is not None and not isinstance(value, str):
            self._error(key, _("Must be a string."))
            return None
        return value

    def code(self, key, default=_MISSING):
        value = self.text(key, default)
        if value is not None and (not _CODE.match(value) or len(value) > 40):
            self._error(key, _("Lowercase letters, digits, '-' and '_', at most 40 characters."))
            return None
        return value

    def choice(self, key, choices, default=_MISSING):
        value = self.raw(key, default)
        if value is not None and value not in choices:
            self._error(key, _("One of: %(choices)s.") % {"choices": ", ".join(choices)})
            return None
        return value

    def date(self, key, default=_MISSING):
        value = self.raw(key, default)
        if value is None or isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            self._error(key, _("A date, YYYY-MM-DD."))
            return None

    def timezone(self, key, default=_MISSING):
        value = self.raw(key, default)
        if value is None:
            return None
        try:
            zoneinfo.ZoneInfo(value)
        except (TypeError, ValueError, zoneinfo.ZoneInfoNotFoundError):
            self._error(key, _("An IANA time zone, such as Europe/Moscow."))
            return None
        return value

    def items(self, key, required=True):
        value = self.raw(key, _MISSING if required else [])
        if value is None:
            return []
        if not isinstance(value, list) or (required and not value):
            self._error(
                key, _("A non-empty list is required.") if required else _("Must be a list.")
            )
            return []
        return value

    def reject_unknown(self, known):
        for key in self.data:
            if key not in known:
                self._error(key, _("Unknown field."))
