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
