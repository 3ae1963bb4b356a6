"""``manage.py rollup_kpis [--from ISO --to ISO]``: the Celery job ``calls.rollup_kpis``."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calls.rollups import rollup_kpis


def _instant(value, option):
    parsed = parse_datetime(value)
    if parsed is None or timezone.is_naive(parsed):
        raise CommandError(
            _("%(option)s takes an ISO 8601 datetime with an offset, got %(value)s")
            % {"option": option, "value": repr(value)}
        )
    return parsed


class Command(BaseCommand):
    help = gettext_lazy(  # type: ignore[assignment]  # lazy: the active language
        "Fill the KPI rollups: mark dirty every 15-minute interval with calls or agent "
        "events received since the last run (and intervals never filled), and fill them. "
        "With --from/--to, refill that window too (after correcting data in the admin)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", help=_("Refill from this instant (ISO 8601)."))
        parser.add_argument("--to", dest="end", help=_("...until this instant, excluded."))

    def handle(self, *args, start=None, end=None, **options):
        if (start is None) != (end is None):
            raise CommandError(_("--from and --to go together."))
        if start is not None:
            start, end = _instant(start, "--from"), _instant(end, "--to")
            if start >= end:
                raise CommandError(_("--from must be before --to."))
        result = rollup_kpis(start=start, end=end)
        if result.skipped:
            self.stdout.write(_("Another rollup run holds the lock; nothing done."))
            return
        done = _("Marked %(marked)s interval(s) dirty; filled %(filled)s in %(windows)s window(s).")
        self.stdout.write(
            done % {"marked": result.marked, "filled": result.filled, "windows": result.windows}
        )
