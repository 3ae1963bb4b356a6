"""``manage.py rollup_kpis [--from ISO --to ISO]``: the Celery job ``calls.rollup_kpis``."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from calls.rollups import rollup_kpis


def _instant(value, option):
    parsed = parse_datetime(value)
    if parsed is None or timezone.is_naive(parsed):
        raise CommandError(f"{option} takes an ISO 8601 datetime with an offset, got {value!r}")
    return parsed


class Command(BaseCommand):
    help = (
        "Fill the KPI rollups: mark dirty every 15-minute interval with calls or agent "
        "events received since the last run (and intervals never filled), and fill them. "
        "With --from/--to, refill that window too (after correcting data in the admin)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", help="Refill from this instant (ISO 8601).")
        parser.add_argument("--to", dest="end", help="...until this instant, excluded.")

    def handle(self, *args, start=None, end=None, **options):
        if (start is None) != (end is None):
            raise CommandError("--from and --to go together.")
        if start is not None:
            start, end = _instant(start, "--from"), _instant(end, "--to")
            if start >= end:
                raise CommandError("--from must be before --to.")
        result = rollup_kpis(start=start, end=end)
        if result.skipped:
            self.stdout.write("Another rollup run holds the lock; nothing done.")
            return
        self.stdout.write(
            f"Marked {result.marked} interval(s) dirty; filled {result.filled} "
            f"in {result.windows} window(s)."
        )
