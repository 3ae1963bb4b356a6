"""``manage.py rebuild_live_state``: rebuild the live state in Redis from the stored events."""

from django.core.management.base import BaseCommand

from live import state


class Command(BaseCommand):
    help = "Clear the live state in Redis and replay the stored call and agent events."

    def handle(self, *args, **options):
        replayed = state.rebuild()
        self.stdout.write(
            f"Live state rebuilt: {replayed['call_events']} call events, "
            f"{replayed['operators']} operators' states."
        )
