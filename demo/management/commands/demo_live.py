"""`manage.py demo_live`: keep a simulated today flowing through the live events, so the
wallboard moves (demo.live_day); `make serve` runs it beside the server. Ctrl-C stops it.

    manage.py demo_live [--speed 1] [--seconds N] [--seed 17]
"""

import time

from django.core.management.base import BaseCommand, CommandError

from contactcenter.errors import DomainError
from demo.live_day import live_day, start, step

TICK_SECONDS = 0.5  # events are stored in batches this often
MAX_SPEED = 100.0


class Command(BaseCommand):
    help = "Post a simulated today's call and agent events live until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--speed", type=float, default=1.0, help="1 = real time; up to 100")
        parser.add_argument("--seconds", type=int, help="stop after this long (default: never)")
        parser.add_argument("--seed", type=int, default=17)

    def handle(self, *args, speed, seconds, seed, **options):
        if not 0 < speed <= MAX_SPEED:
            raise CommandError(f"--speed must be above 0 and at most {MAX_SPEED:g}.")
        if seconds is not None and seconds < 1:
            raise CommandError("--seconds must be at least 1.")
        day = live_day(speed=speed, seed=seed)
        if not day.projects:
            raise CommandError("No active project with certified operators: run manage.py demo.")
        began = time.monotonic()
        start(day, began)
        self.stdout.write(
            f"Live day: {len(day.projects)} projects, speed {speed:g}x; Ctrl-C stops."
        )
        calls = agents = 0
        try:
            while seconds is None or time.monotonic() - began < seconds:
                try:
                    stored = step(day, time.monotonic())
                except DomainError as error:  # one refused batch; the day goes on
                    self.stderr.write(f"Live day: a batch was refused: {error}")
                    continue
                calls, agents = calls + stored[0], agents + stored[1]
                time.sleep(TICK_SECONDS)
        except KeyboardInterrupt:
            pass
        self.stdout.write(f"Live day stopped: {calls} call events, {agents} agent events.")
