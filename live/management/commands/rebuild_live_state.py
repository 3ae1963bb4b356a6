"""``manage.py rebuild_live_state``: rebuild the live state in Redis from the stored events."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from live import state


class Command(BaseCommand):
    help = gettext_lazy(  # type: ignore[assignment]  # lazy: the active language
        "Clear the live state in Redis and replay the stored call and agent events."
    )

    def handle(self, *args, **options):
        replayed = state.rebuild()
        rebuilt = _("Live state rebuilt: %(events)s call events, %(operators)s operators' states.")
        self.stdout.write(
            rebuilt % {"events": replayed["call_events"], "operators": replayed["operators"]}
        )
