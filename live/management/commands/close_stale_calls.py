"""``manage.py close_stale_calls``: store the calls whose record never came, from events."""

from django.core.management.base import BaseCommand

from live.closing import close_stale_calls


class Command(BaseCommand):
    help = (
        "Close the calls silent for LIVE_STALE_CALL_SECONDS that have no record, from their events."
    )

    def handle(self, *args, **options):
        result = close_stale_calls()
        self.stdout.write(
            f"Closed {result['closed']} calls from their events; refused {result['refused']}."
        )
