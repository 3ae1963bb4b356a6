"""``manage.py close_stale_calls``: store the calls whose record never came, from events."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from live.closing import close_stale_calls


class Command(BaseCommand):
    help = gettext_lazy(  # type: ignore[assignment]  # lazy: the active language
        "Close the calls silent for LIVE_STALE_CALL_SECONDS that have no record, from their events."
    )

    def handle(self, *args, **options):
        result = close_stale_calls()
        closed = _("Closed %(closed)s calls from their events; refused %(refused)s.")
        self.stdout.write(closed % {"closed": result["closed"], "refused": result["refused"]})
