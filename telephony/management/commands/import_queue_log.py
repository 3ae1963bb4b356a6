"""``manage.py import_queue_log PATH... [--source CODE] [--map QUEUE=PROJECT ...]
[--agent-map AGENT=OPERATOR ...] [--keep-open] [--pending-expiry SECONDS]
[--follow [--poll-interval SECONDS]]``

PATH is a file, several (a rotated set: ``queue_log.2.gz queue_log.1 queue_log``) or a glob
(``'/var/log/asterisk/queue_log*'``); they are read oldest first. docs/telephony-queue-log.md.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contactcenter.errors import DomainError
from telephony.follow import MAX_POLL_INTERVAL, MIN_POLL_INTERVAL, follow_until_signalled
from telephony.queue_log_import import queue_log_import_files

MAX_PENDING_EXPIRY_SECONDS = 7 * 24 * 3600


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
        "Import an Asterisk queue_log (a file, a rotated set or a glob; gzip, BOM and CRLF "
        "are fine): its calls as call records and its members' pauses and logins as agent "
        "state events. Calls of unmapped queues or agents are parked until mapped. Running "
        "it again on the same file (or a longer version of it) stores only what is new."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="+",
            metavar="path",
            help=_("The queue_log file(s) or a glob, such as /var/log/asterisk/queue_log."),
        )
        parser.add_argument(
            "--source",
            metavar="CODE",
            help=_(
                "The telephony source (kind asterisk-queue-log) whose mappings apply. "
                "Without it, the source of the client whose projects the queues name."
            ),
        )
        parser.add_argument(
            "--map",
            "--queue-map",
            dest="map",
            action="append",
            metavar="QUEUE=PROJECT",
            help=_(
                "Add to the source's mappings: the calls of QUEUE go to the project with "
                "code PROJECT (repeatable). A queue named like a project maps without it."
            ),
        )
        parser.add_argument(
            "--agent-map",
            action="append",
            metavar="AGENT=OPERATOR",
            help=_(
                "Add to the source's mappings: the operator code of an agent, as logged "
                "(SIP/1002, Paty Marin) or by name (1002) (repeatable). Without a mapping "
                "the agent's name is the operator code."
            ),
        )
        parser.add_argument(
            "--keep-open",
            action="store_true",
            help=_(
                "Leave operators logged in at the end of the log as they are (a log that "
                "keeps growing). By default they are closed at the last line's time."
            ),
        )
        parser.add_argument(
            "--pending-expiry",
            type=int,
            metavar="SECONDS",
            help=_(
                "A call with no line for this long expires, reported and not stored "
                "(default: the QUEUE_LOG_PENDING_EXPIRY_SECONDS setting; 0: never)."
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

    def handle(self, *args, paths, **options):
        queue_map = _pairs(options["map"], "--map")
        agent_map = _pairs(options["agent_map"], "--agent-map")
        if options["follow"]:
            if len(paths) != 1:
                raise CommandError(_("--follow takes one file: the queue_log being written."))
            if not MIN_POLL_INTERVAL <= options["poll_interval"] <= MAX_POLL_INTERVAL:
                raise CommandError(_("--poll-interval must be between 0.01 and 3600 seconds."))
            try:
                follow_until_signalled(
                    paths[0],
                    source=options["source"],
                    queue_map=queue_map,
                    agent_map=agent_map,
                    poll_interval=options["poll_interval"],
                    stdout=self.stdout,
                    stderr=self.stderr,
                )
            except DomainError as error:
                raise CommandError(str(error)) from error
            return
        expiry: dt.timedelta | bool | None = True  # the setting
        if options["pending_expiry"] is not None:
            seconds = options["pending_expiry"]
            if not 0 <= seconds <= MAX_PENDING_EXPIRY_SECONDS:
                raise CommandError(
                    _("--pending-expiry takes 0 to %(max)s seconds")
                    % {"max": MAX_PENDING_EXPIRY_SECONDS}
                )
            expiry = dt.timedelta(seconds=seconds) if seconds else None
        try:
            result = queue_log_import_files(
                paths=paths,
                source=options["source"],
                queue_map=queue_map,
                agent_map=agent_map,
                keep_open=options["keep_open"],
                pending_expiry=expiry,
            )
        except (OSError, EOFError) as error:  # EOFError: a truncated gzip
            raise CommandError(
                _("cannot read %(path)s: %(error)s")
                % {
                    "path": getattr(error, "filename", None) or paths[0],
                    "error": getattr(error, "strerror", None) or error,
                }
            ) from error
        except DomainError as error:
            raise CommandError(str(error)) from error
        for line in result.summary():
            self.stdout.write(line)
