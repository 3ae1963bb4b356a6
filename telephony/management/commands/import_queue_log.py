"""``manage.py import_queue_log PATH [--map QUEUE=PROJECT ...] [--agent-map AGENT=OPERATOR ...]
[--follow [--poll-interval SECONDS]]``"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calls.queue_log_import import queue_log_import_file
from telephony.follow import MAX_POLL_INTERVAL, MIN_POLL_INTERVAL, follow_until_signalled


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
            if not MIN_POLL_INTERVAL <= options["poll_interval"] <= MAX_POLL_INTERVAL:
                raise CommandError(_("--poll-interval must be between 0.01 and 3600 seconds."))
            follow_until_signalled(
                path,
                queue_map=queue_map,
                agent_map=agent_map,
                poll_interval=options["poll_interval"],
                stdout=self.stdout,
                stderr=self.stderr,
            )
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
