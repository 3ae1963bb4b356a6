"""The demo's shift templates: the starts of the scenario's shift groups, in Moscow time.

``scenarios/demo_month.json`` gives each group of operators a shift in the zone of its first
project (08:00 in Vladivostok is 01:00 in Moscow); the pool's templates are those starts,
nine hours with an hour's lunch (eight paid: five make a 40-hour week). Shared by the demo
loader and ``bench/scheduling.py``.
"""

import datetime as dt

DEMO_ZONE = "Europe/Moscow"
# (name, Moscow start hour)
DEMO_TEMPLATE_STARTS = [
    ("Ночь 00:00", 0),
    ("Ночь 01:00", 1),
    ("Утро 03:00", 3),
    ("Утро 04:00", 4),
    ("День 08:00", 8),
    ("День 10:00", 10),
    ("День 12:00", 12),
    ("День 13:00", 13),
    ("Вечер 16:00", 16),
    ("Вечер 17:00", 17),
    ("Вечер 20:00", 20),
    ("Ночь 23:00", 23),
]
DURATION_MINUTES = 540
BREAK_MINUTES = 60


def demo_template_fields():
    """The templates' fields, as ``ShiftTemplate`` takes them."""
    return [
        {
            "name": name,
            "start_time": dt.time(hour),
            "duration_minutes": DURATION_MINUTES,
            "break_minutes": BREAK_MINUTES,
        }
        for name, hour in DEMO_TEMPLATE_STARTS
    ]


# --- Loading the demo's schedule ------------------------------------------------------------

USUAL_NOTE = "Demo: usual shift"
PUBLISHED_WEEKS = 2
SOLVE_SECONDS = 20


def demo_templates():
    """The templates, created once (a template edited in the admin is left as it is)."""
    from agents.models import ShiftTemplate

    for fields in demo_template_fields():
        ShiftTemplate.objects.get_or_create(name=fields["name"], defaults=fields)


def demo_usual_shifts(*, scenario, first, last):
    """Each operator's usual shift (their scenario group's, in its zone, off on its days
    off) on the local days ``first`` to ``last`` (both included), where they have none."""
    from zoneinfo import ZoneInfo

    from agents.models import Operator, Shift

    operators = {op.code: op for op in Operator.objects.filter(status=Operator.Status.ACTIVE)}
    stored = dict(_stored(first - dt.timedelta(days=1), last + dt.timedelta(days=2)))
    rows = []
    for spec in scenario.operators:
        operator, group = operators.get(spec.code), spec.group
        if operator is None:
            continue
        zone = ZoneInfo(group.shift_timezone)
        day = first
        while day <= last:
            if day.weekday() not in group.days_off:
                begin = dt.datetime.combine(day, dt.time(), zone) + dt.timedelta(
                    minutes=group.shift_start
                )
                end_minutes = group.shift_end + (0 if group.shift_end > group.shift_start else 1440)
                end = dt.datetime.combine(day, dt.time(), zone) + dt.timedelta(minutes=end_minutes)
                begin, end = begin.astimezone(dt.UTC), end.astimezone(dt.UTC)
                spans = stored.setdefault(operator.pk, [])
                if not any(b < end and begin < e for b, e in spans):
                    rows.append(
                        Shift(operator=operator, starts_at=begin, ends_at=end, note=USUAL_NOTE)
                    )
                    spans.append((begin, end))
            day += dt.timedelta(days=1)
    Shift.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _stored(since, until):
    from collections import defaultdict

    from agents.models import Shift

    spans = defaultdict(list)
    for op_id, begin, end in Shift.objects.filter(
        starts_at__lt=dt.datetime.combine(until, dt.time(), dt.UTC),
        ends_at__gt=dt.datetime.combine(since, dt.time(), dt.UTC),
    ).values_list("operator_id", "starts_at", "ends_at"):
        spans[op_id].append((begin, end))
    return spans.items()


def demo_schedule(*, scenario, month_end, user, today=None):
    """The demo's schedule beyond the simulated month: the usual shifts up to next Monday,
    then the next two weeks built from the forecast by the scheduler and published (all six
    projects, by ``user``). Returns ``(usual shifts added, published weeks)``; a week
    already published is left as it is."""
    from django.utils import timezone

    from projects.models import Project
    from workforce import schedules
    from workforce.models import ScheduleWeek

    demo_templates()
    today = today or timezone.localdate()
    monday = today + dt.timedelta(days=7 - today.weekday())
    added = demo_usual_shifts(
        scenario=scenario, first=month_end + dt.timedelta(days=1), last=monday - dt.timedelta(1)
    )
    projects = list(Project.objects.filter(code__in=[p.code for p in scenario.projects]))
    weeks = []
    for n in range(PUBLISHED_WEEKS):
        start = monday + dt.timedelta(days=7 * n)
        scope = ",".join(sorted(p.code for p in projects))
        published = ScheduleWeek.objects.filter(
            scope=scope, week_start=start, status=ScheduleWeek.Status.PUBLISHED
        ).first()
        if published is None:
            published = schedules.schedule_build(
                projects=projects,
                start=start,
                user=user,
                shrinkage=0.3,
                max_occupancy=0.85,
                time_limit=SOLVE_SECONDS,
            )
            schedules.schedule_publish(week=published, user=user)
            published.refresh_from_db()
        weeks.append(published)
    return added, weeks
