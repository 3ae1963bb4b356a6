"""``manage.py import_cdr FILE --format asterisk-csv|freeswitch-csv|generic-csv --project CODE
[--timezone ZONE] [--agent-map NAME=OPERATOR ...] [--source CODE] [--region RU] [--dry-run]``"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contactcenter.errors import DomainError
from projects.models import Project
from telephony.cdr_import import FORMATS, MAX_FILE_BYTES, SOURCE_KIND, cdr_import
from telephony.cdr_sources import add_agent_mappings, parse_agent_map, source_for_import
from telephony.models import TelephonySource, validate_region, validate_time_zone


class Command(BaseCommand):
    help = gettext_lazy(  # type: ignore[assignment]  # lazy: the active language
        "Import a PBX's CDR file as it writes it (Asterisk Master.csv, FreeSWITCH cdr_csv, or "
        "a CSV read through its source's column mapping). Calls naming an unmapped queue or "
        "agent are parked whole; running it again stores nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", help=_("The CDR file, such as /var/log/asterisk/cdr-csv/Master.csv.")
        )
        parser.add_argument("--format", required=True, choices=FORMATS, dest="fmt")
        parser.add_argument("--project", help=_("Project code that takes every call of the file."))
        parser.add_argument(
            "--source",
            help=_(
                "Telephony source code; without it, the project's client's source of the "
                "format's kind (made if missing)."
            ),
        )
        parser.add_argument(
            "--timezone", help=_("Time zone of the file's naive times, for a source made now.")
        )
        parser.add_argument("--region", help=_("Phone region (RU, US...) for a source made now."))
        parser.add_argument(
            "--agent-map",
            action="append",
            default=[],
            metavar="NAME=OPERATOR",
            help=_(
                "The PBX's name of an agent (PJSIP/1001, 1001, Paty Marin) and the operator "
                "code (repeatable); added to the source's agent mappings."
            ),
        )
        parser.add_argument("--dry-run", action="store_true", help=_("Report only; store nothing."))

    def handle(self, *args, path, fmt, **options):
        try:
            self._handle(path, fmt, options)
        except DomainError as error:
            raise CommandError(error.message) from error

    def _handle(self, path, fmt, options):
        # A dry run leaves nothing behind: no source made, no mapping added, no call.
        with transaction.atomic():
            self._import(path, fmt, options)
            if options["dry_run"]:
                transaction.set_rollback(True)

    def _import(self, path, fmt, options):
        for value, check in (
            (options["timezone"], validate_time_zone),
            (options["region"], validate_region),
        ):
            if value:
                try:
                    check(value)
                except Exception as error:  # a ValidationError: its message is the reason
                    raise CommandError(
                        " ".join(getattr(error, "messages", [str(error)]))
                    ) from error
        pairs = parse_agent_map(options["agent_map"])
        project = None
        if options["project"]:
            project = (
                Project.objects.filter(code=options["project"]).select_related("client").first()
            )
            if project is None:
                raise CommandError(_("Unknown project %(code)s.") % {"code": options["project"]})
        source = _source(options, fmt, project)
        file = Path(path)
        try:
            if file.stat().st_size > MAX_FILE_BYTES:
                raise CommandError(_("The file is larger than 50 MB; split it."))
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(
                _("cannot read %(path)s: %(error)s")
                % {"path": path, "error": error.strerror or error}
            ) from error
        if pairs:
            add_agent_mappings(source, pairs)
        result = cdr_import(
            source=source,
            data=data,
            fmt=fmt,
            project=project,
            file_name=file.name,
            dry_run=options["dry_run"],
        )
        self.stdout.write(_("Source: %(code)s") % {"code": source.code})
        for line in result.summary():
            self.stdout.write(line)


def _source(options, fmt, project):
    """``--source``, else the project's client's source of the format's kind (made now)."""
    if options["source"]:
        source = TelephonySource.objects.filter(code=options["source"]).first()
        if source is None:
            raise CommandError(_("Unknown source %(code)s.") % {"code": options["source"]})
        return source
    if project is None:
        raise CommandError(_("Name the project (--project) or the source (--source)."))
    return source_for_import(
        project=project,
        kind=SOURCE_KIND[fmt],
        time_zone=options["timezone"],
        region=options["region"],
    )
