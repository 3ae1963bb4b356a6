"""``manage.py import_queue_log PATH [--map QUEUE=PROJECT ...] [--agent-map AGENT=OPERATOR ...]
[--follow [--poll-interval SECONDS]]``"""

import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calls.queue_log_import import queue_log_import_file
from telephony.follow import follow


def _pairs(values, option):
    pairs = {}
    for value in values or []:
        key, sep, target = value.partition("=")
        if not sep or not key.strip() or not target.strip():
            raise CommandError(
                _("%(option)s takes KEY=VALUE, got %(value)s")
                % {"option": option, "value": repr(value)}
            )
        pairs[key.strip()] = target.strip()
    return pairs


class Command(BaseCommand):
    help = gettext_lazy(  # type: ignore[assignment]  # lazy: the active language
        "Import an Asterisk queue_log file: its calls as call records and its members' "
        "pauses and logins as agent state events. Running it again on the same file (or a "
        "longer version of it) stores only what is new."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", help=_("The queue_log file, such as /var/log/asterisk/queue_log.")
        )
        parser.add_argument(
            "--map",
            action="append",
            metavar="QUEUE=PROJECT",
            help=_(
                "Store the calls of QUEUE in the project with code PROJECT (repeatable). "
                "A queue named exactly like a project code maps to it without this."
            ),
        )
        parser.add_argument(
            "--agent-map",
            action="append",
            metavar="AGENT=OPERATOR",
            help=_(
                "The operator code of an agent, as logged (SIP/1002) or by name (1002) "
                "(repeatable). Without it the agent's name is the operator code."
            ),
        )
        parser.add_argument(
            "--follow",
            action="store_true",
            help=_(
                "Keep reading the file as it grows (and is rotated), storing live call events, "
                "agent states and finished calls as they come; resumes where it stopped. "
                "Stop with SIGTERM or Ctrl-C."
            ),
        )
        parser.add_argument(
            "--poll-interval",
            type=float,
            default=1.0,
            metavar="SECONDS",
            help=_("With --follow: how often to look for new lines (default 1 second)."),
        )

    def handle(self, *args, path, **options):
        queue_map = _pairs(options["map"], "--map")
        agent_map = _pairs(options["agent_map"], "--agent-map")
        if options["follow"]:
            self._follow(path, queue_map, agent_map, options["poll_interval"])
            return
        try:
            result = queue_log_import_file(path=path, queue_map=queue_map, agent_map=agent_map)
        except OSError as error:
            raise CommandError(
                _("cannot read %(path)s: %(error)s")
                % {"path": path, "error": error.strerror or error}
            ) from error
        for line in result.summary():
            self.stdout.write(line)

    def _follow(self, path, queue_map, agent_map, poll_interval):
        """``--follow``: until SIGTERM or Ctrl-C, each stored batch printed in one line."""
        if not 0.01 <= poll_interval <= 3600:
            raise CommandError(_("--poll-interval must be between 0.01 and 3600 seconds."))
        stop = threading.Event()
        if threading.current_thread() is threading.main_thread():  # signals reach only it
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda _signum, _frame: stop.set())

        def report(result, cursor):
            self.stdout.write(
                _(
                    "line %(line)s: %(live)s live call events, %(events)s agent events, "
                    "%(calls)s calls stored, %(skipped)s skipped"
                )
                % {
                    "line": cursor.line_no,
                    "live": result.live_created,
                    "events": result.stored.events_created,
                    "calls": result.stored.calls_created,
                    "skipped": len(result.stored.skipped),
                }
            )
            for item in result.stored.skipped:
                self.stderr.write(
                    _("  line %(line)s: %(reason)s") % {"line": item.line_no, "reason": item.reason}
                )

        follow(
            path,
            queue_map=queue_map,
            agent_map=agent_map,
            poll_interval=poll_interval,
            stop=stop,
            on_batch=report,
        )
