"""Data of the fault tests, and the results they must give, computed here in plain Python
(independently of the SQL under test) from the same rows.

Calls are stored through the real ingestion (``calls_ingest``); instants are whole seconds,
so every derived duration is exact integer arithmetic here.
"""

import datetime as dt
import itertools
import random
import zoneinfo
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection

from agents.models import AgentStateEvent
from calls.ingest import calls_ingest
from calls.models import OperatorInterval, OperatorProjectInterval, ProjectInterval
from tests.factories import (
    ClientFactory,
    OperatorFactory,
    ProjectFactory,
    TariffBandFactory,
    TariffFactory,
    VatRateFactory,
)

UTC = dt.UTC
INTERVAL = 900


def iso(instant):
    return instant.isoformat()


def call_rows(rng, *, projects, operators, start, span_seconds, count, prefix):
    """``count`` calls in the API's JSON shape, offered in [start, start + span)."""
    rows = []
    for number in range(count):
        offered = start + dt.timedelta(seconds=rng.randrange(span_seconds))
        wait = rng.randrange(1, 45)
        row = {
            "project": rng.choice(projects).code,
            "external_id": f"{prefix}-{number:05d}",
            "direction": "outbound" if rng.random() < 0.1 else "inbound",
            "caller": f"+7495{rng.randrange(10_000_000):07d}",
            "offered_at": iso(offered),
        }
        if rng.random() < 0.8:
            answered = offered + dt.timedelta(seconds=wait)
            talk, hold = rng.randrange(0, 400), rng.choice([0, 0, 5, 15])
            row |= {
                "operator": rng.choice(operators).code,
                "answered_at": iso(answered),
                "ended_at": iso(answered + dt.timedelta(seconds=talk + hold)),
                "hold_seconds": hold,
                "wrap_seconds": rng.choice([0, 10, 30]),
            }
        else:
            row["ended_at"] = iso(offered + dt.timedelta(seconds=wait))
        rows.append(row)
    return rows


def epoch(text):
    return int(dt.datetime.fromisoformat(text).timestamp())


# --- KPI rollups -----------------------------------------------------------------------------


class RollupScenario:
    """Two projects, four operators, calls and agent states on two days in the past.

    ``first`` is the data stored before the first rollup; ``late`` arrives afterwards and
    touches both days again, so the next rollup fills two separate windows (day one, then
    day two): a worker can be stopped between them.
    """

    def __init__(self, *, seed=8, first_per_day=60, late_per_day=30):
        today = dt.datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        self.days = [today - dt.timedelta(days=3), today - dt.timedelta(days=2)]
        self.projects = [
            ProjectFactory(code="fault-hotline", sl_threshold_seconds=20, short_abandon_seconds=5),
            ProjectFactory(code="fault-sales", sl_threshold_seconds=30, short_abandon_seconds=3),
        ]
        self.operators = [OperatorFactory(code=f"fault-op{n}") for n in range(4)]
        rng = random.Random(seed)
        self.first, self.late = [], []
        for index, day in enumerate(self.days):
            self.first += call_rows(
                rng, projects=self.projects, operators=self.operators,
                start=day + dt.timedelta(hours=9), span_seconds=3 * 3600,
                count=first_per_day, prefix=f"d{index}-first",
            )  # fmt: skip
            self.late += call_rows(
                rng, projects=self.projects, operators=self.operators,
                start=day + dt.timedelta(hours=9), span_seconds=3 * 3600,
                count=late_per_day, prefix=f"d{index}-late",
            )  # fmt: skip
        # Every state is closed by an 'offline', so no figure depends on the run's clock.
        self.events = []
        for day in self.days:
            for operator in self.operators:
                for hhmm, state in (("08:00", "ready"), ("10:00", "break"), ("10:15", "ready"),
                                    ("13:00", "offline")):  # fmt: skip
                    hours, minutes = map(int, hhmm.split(":"))
                    at = day + dt.timedelta(hours=hours, minutes=minutes)
                    self.events.append((operator, state, at))

    def store_first(self):
        """The first calls and the states, stored a day ago: the rollup runs since took them
        in, and the next run is about the late calls alone."""
        AgentStateEvent.objects.bulk_create(
            AgentStateEvent(operator=operator, state=state, at=at)
            for operator, state, at in self.events
        )
        assert calls_ingest(rows=self.first).created == len(self.first)
        with connection.cursor() as cursor:
            for table in ("calls_call", "agents_agentstateevent"):
                cursor.execute(
                    f"UPDATE {table} SET received_at = received_at - interval '1 day'"  # noqa: S608
                )

    def store_late(self):
        assert calls_ingest(rows=self.late).created == len(self.late)

    def first_late_interval(self, day_index):
        """The earliest interval the late calls of ``days[day_index]`` touch: the first
        interval of that day's first window in the next fill."""
        day = self.days[day_index]
        offered = min(
            dt.datetime.fromisoformat(row["offered_at"])
            for row in self.late
            if day <= dt.datetime.fromisoformat(row["offered_at"]) < day + dt.timedelta(days=1)
        )
        seconds = int(offered.timestamp()) // INTERVAL * INTERVAL
        return dt.datetime.fromtimestamp(seconds, tz=UTC)

    def window(self, day_index):
        """[start, end) of the hours of ``days[day_index]`` holding its data."""
        day = self.days[day_index]
        return day + dt.timedelta(hours=8), day + dt.timedelta(hours=13)

    # The expected tables, from the rows alone (SPEC sections 4 and 5).

    def expected_project_rows(self, rows):
        by_code = {project.code: project for project in self.projects}
        counters = defaultdict(lambda: defaultdict(int))
        for row in rows:
            if row.get("direction") == "outbound":
                continue
            project = by_code[row["project"]]
            offered = epoch(row["offered_at"])
            key = (project.pk, offered // INTERVAL * INTERVAL)
            c = counters[key]
            c["offered"] += 1
            if "answered_at" in row:
                answered, ended = epoch(row["answered_at"]), epoch(row["ended_at"])
                wait = answered - offered
                c["answered"] += 1
                c["answered_within_threshold"] += wait <= project.sl_threshold_seconds
                c["wait_seconds_answered"] += wait
                c["talk_seconds"] += ended - answered - row["hold_seconds"]
                c["hold_seconds"] += row["hold_seconds"]
                c["wrap_seconds"] += row["wrap_seconds"]
            else:
                wait = epoch(row["ended_at"]) - offered
                c["abandoned"] += 1
                c["short_abandoned"] += wait < project.short_abandon_seconds
                c["abandoned_within_threshold"] += wait <= project.sl_threshold_seconds
        names = (
            "offered", "answered", "abandoned", "short_abandoned", "answered_within_threshold",
            "abandoned_within_threshold", "wait_seconds_answered", "talk_seconds",
            "hold_seconds", "wrap_seconds",
        )  # fmt: skip
        return sorted(
            (project_id, start, *(counters[(project_id, start)][name] for name in names))
            for project_id, start in counters
        )

    def expected_operator_rows(self, rows):
        """(operator rows, operator-project rows) as sorted tuples."""
        ids = {operator.code: operator.pk for operator in self.operators}
        projects = {project.code: project.pk for project in self.projects}
        handle = defaultdict(int)
        split = defaultdict(int)
        for row in rows:
            if "answered_at" not in row:
                continue
            answered, ended = epoch(row["answered_at"]), epoch(row["ended_at"])
            seconds = ended - answered + row["wrap_seconds"]
            for start, piece in _spread(answered, answered + seconds):
                handle[(ids[row["operator"]], start)] += piece
                split[(ids[row["operator"]], projects[row["project"]], start)] += piece
        staffed, on_break = defaultdict(int), defaultdict(int)
        by_operator = defaultdict(list)
        for operator, state, at in self.events:
            by_operator[operator.pk].append((int(at.timestamp()), state))
        for operator_id, events in by_operator.items():
            events.sort()
            for (at, state), (until, _) in itertools.pairwise(events):
                target = {"ready": staffed, "break": on_break}.get(state)
                if target is None:
                    continue
                for start, piece in _spread(at, until):
                    target[(operator_id, start)] += piece
        keys = set(handle) | set(staffed) | set(on_break)
        operator_rows = sorted(
            (operator_id, start, staffed[(operator_id, start)], on_break[(operator_id, start)],
             handle[(operator_id, start)])
            for operator_id, start in keys
        )  # fmt: skip
        split_rows = sorted((*key, value) for key, value in split.items())
        return operator_rows, split_rows

    def expected(self, rows):
        return (self.expected_project_rows(rows), *self.expected_operator_rows(rows))


def _spread(start, end):
    """[(interval start, seconds)] of [start, end) over 15-minute intervals."""
    pieces = []
    bucket = start // INTERVAL * INTERVAL
    while bucket < end:
        pieces.append((bucket, min(end, bucket + INTERVAL) - max(start, bucket)))
        bucket += INTERVAL
    return pieces


def rollup_tables():
    """The three rollup tables as sorted tuples (epoch interval starts), ids left out."""
    project_rows = sorted(
        (r.project_id, int(r.interval_start.timestamp()), r.offered, r.answered, r.abandoned,
         r.short_abandoned, r.answered_within_threshold, r.abandoned_within_threshold,
         r.wait_seconds_answered, r.talk_seconds, r.hold_seconds, r.wrap_seconds)
        for r in ProjectInterval.objects.all()
    )  # fmt: skip
    operator_rows = sorted(
        (r.operator_id, int(r.interval_start.timestamp()), r.staffed_seconds, r.break_seconds,
         r.handle_seconds)
        for r in OperatorInterval.objects.all()
    )  # fmt: skip
    split_rows = sorted(
        (r.operator_id, r.project_id, int(r.interval_start.timestamp()), r.handle_seconds)
        for r in OperatorProjectInterval.objects.all()
    )
    return project_rows, operator_rows, split_rows


# --- Invoices --------------------------------------------------------------------------------

CENT = Decimal("0.01")


def money(value):
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class BillingScenario:
    """Three clients in three time zones, one project each, with different tariffs and VAT.

    ``first`` calls are there for the first generation; ``late`` ones arrive afterwards
    (received well before the later run's cut), so a later run changes every draft.
    """

    CLIENTS = (
        # code, time zone, VAT rate, VAT included, rate/min, first, next, free, night band rate
        ("alpha", "Europe/Moscow", "0.2000", False, "2.3500", 30, 6, 0, None),
        ("bravo", "Asia/Yekaterinburg", "0.2000", True, "1.7300", 60, 60, 5, None),
        ("charlie", "Asia/Vladivostok", "0.1000", False, "3.1000", 1, 1, 0, "4.2000"),
    )

    def __init__(self, *, period, seed=8, first_per_client=40, late_per_client=25, zone=None):
        """``zone``: one time zone for every client and project instead of three."""
        self.period = period
        self.clients, self.projects, self.tariffs = {}, {}, {}
        operator = OperatorFactory(code="fault-biller")
        for code, own_zone, vat, included, rate, first, nxt, free, night in self.CLIENTS:
            client_zone = zone or own_zone
            client = ClientFactory(code=code, timezone=client_zone, vat_included=included)
            VatRateFactory(client=client, rate=Decimal(vat))
            project = ProjectFactory(code=f"{code}-line", client=client, timezone=client_zone)
            tariff = TariffFactory(
                project=project, valid_from=dt.date(2020, 1, 1), rate_per_minute=Decimal(rate),
                first_increment_seconds=first, next_increment_seconds=nxt, free_seconds=free,
            )  # fmt: skip
            if night:
                TariffBandFactory(
                    tariff=tariff, position=0, name="night", weekdays=[0, 1, 2, 3, 4, 5, 6],
                    start=dt.time(22), end=dt.time(8), rate_per_minute=Decimal(night),
                )  # fmt: skip
            self.clients[code], self.projects[code], self.tariffs[code] = client, project, tariff
        rng = random.Random(seed)
        self.first, self.late = [], []
        # Days 2-26 of the month, whatever the zone: no call near a month's edge.
        start = dt.datetime(period.year, period.month, 2, tzinfo=UTC)
        for code, project in self.projects.items():
            for target, count, tag in ((self.first, first_per_client, "first"),
                                       (self.late, late_per_client, "late")):  # fmt: skip
                rows = call_rows(
                    rng, projects=[project], operators=[operator], start=start,
                    span_seconds=24 * 86_400, count=count, prefix=f"{code}-{tag}",
                )  # fmt: skip
                target.extend(rows)

    def store(self, rows):
        assert calls_ingest(rows=rows).created == len(rows)
        # Received two hours ago: every generation from now on bills them.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE calls_call SET received_at = received_at - interval '2 hours'"
                " WHERE external_id = ANY(%s)",
                [[row["external_id"] for row in rows]],
            )

    def expected(self, rows):
        """{client code: (subtotal, vat, total, [(band, calls, billed seconds, rate, amount)])}"""
        lines = defaultdict(lambda: [0, 0])
        for row in rows:
            if "answered_at" not in row:
                continue
            code = row["project"].removesuffix("-line")
            tariff = self.tariffs[code]
            connected = epoch(row["ended_at"]) - epoch(row["answered_at"])
            billed = _billed_seconds(tariff, connected)
            band, rate = "", tariff.rate_per_minute
            night = list(tariff.bands.all())
            local = dt.datetime.fromisoformat(row["answered_at"]).astimezone(
                zoneinfo.ZoneInfo(self.projects[code].timezone)
            )
            if night and (local.time() >= dt.time(22) or local.time() < dt.time(8)):
                band, rate = night[0].name, night[0].rate_per_minute
            line = lines[(code, band, rate)]
            line[0] += 1
            line[1] += billed
        result = {}
        for code, _zone, vat, included, *_ in self.CLIENTS:
            client_lines = sorted(
                (band, calls, billed, rate, money(Decimal(billed) / 60 * rate))
                for (line_code, band, rate), (calls, billed) in lines.items()
                if line_code == code
            )
            subtotal = sum((line[4] for line in client_lines), Decimal("0.00"))
            rate = Decimal(vat)
            if included:
                vat_amount, total = money(subtotal * rate / (1 + rate)), subtotal
            else:
                vat_amount = money(subtotal * rate)
                total = subtotal + vat_amount
            result[code] = (subtotal, vat_amount, total, client_lines)
        return result


def _billed_seconds(tariff, seconds):
    """SPEC section 7, written again here: 0 or free; else the first increment, then steps."""
    first, step = tariff.first_increment_seconds, tariff.next_increment_seconds
    if seconds == 0 or seconds <= tariff.free_seconds:
        return 0
    if seconds <= first:
        return first
    return first + -(-(seconds - first) // step) * step


def invoice_state(period):
    """{client code: (status, subtotal, vat, total, [(band, calls, billed, rate, amount)])}
    of the live invoices of ``period``; fails if a client has two."""
    from billing.models import Invoice

    state = {}
    for invoice in Invoice.objects.filter(period=period).exclude(status="void"):
        code = invoice.client.code
        assert code not in state, f"two live invoices for {code}"
        state[code] = (
            invoice.status,
            invoice.subtotal,
            invoice.vat,
            invoice.total,
            sorted(
                (line.band, line.calls, line.billed_seconds, line.rate_per_minute, line.amount)
                for line in invoice.lines.all()
            ),
        )
    return state
