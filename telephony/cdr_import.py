"""Import a PBX's CDR file as it comes (docs/telephony-cdr.md): read, map, park or store.

``cdr_import`` decodes the bytes leniently, reads them with the format's reader
(``telephony.cdr``), maps each call through the source's tables (``SourceMaps``) and either
parks it whole (an unmapped queue or agent: ``telephony.parking.park``) or stores it with
``calls.ingest.calls_ingest`` in batches. Re-importing a file stores nothing twice (the
stored calls come back as duplicates, the parked ones are parked again in place). A dry
run does all of it inside a transaction rolled back: exact counts, nothing kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.ingest import MAX_BATCH, calls_ingest
from calls.phones import phone_normalize
from contactcenter.errors import DomainError
from projects.models import Project
from telephony.cdr.asterisk import read_asterisk_csv
from telephony.cdr.common import CdrCall, CdrRead, Problem
from telephony.cdr.decode import decode
from telephony.cdr.freeswitch import read_freeswitch_csv
from telephony.cdr.generic import read_generic_csv
from telephony.mapping import SourceMaps
from telephony.models import ParkedCall, TelephonySource
from telephony.parking import call_payload, park

ASTERISK_CSV = "asterisk-csv"
FREESWITCH_CSV = "freeswitch-csv"
GENERIC_CSV = "generic-csv"
FORMATS = (ASTERISK_CSV, FREESWITCH_CSV, GENERIC_CSV)
# The source kind each format belongs to (a source made for an import has it).
SOURCE_KIND = {
    ASTERISK_CSV: TelephonySource.Kind.ASTERISK_CDR_CSV,
    FREESWITCH_CSV: TelephonySource.Kind.FREESWITCH_CDR_CSV,
    GENERIC_CSV: TelephonySource.Kind.GENERIC_CSV,
}
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_PROBLEMS_LISTED = 1000


@dataclass
class CdrImportResult:
    """What an import did (or, dry, would do)."""

    format: str
    encoding: str
    dry_run: bool
    rows: int = 0
    calls: int = 0
    created: int = 0
    duplicates: int = 0
    parked: Counter = field(default_factory=Counter)  # (reason, missing) -> calls
    problems: list[Problem] = field(default_factory=list)

    @property
    def parked_total(self) -> int:
        return sum(self.parked.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "encoding": self.encoding,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "calls": self.calls,
            "created": self.created,
            "duplicates": self.duplicates,
            "parked": self.parked_total,
            "parked_by": [
                {"reason": reason, "missing": missing, "calls": count}
                for (reason, missing), count in sorted(self.parked.items())
            ],
            "problems": [
                {"line": p.line, "message": p.message} for p in self.problems[:MAX_PROBLEMS_LISTED]
            ],
            "problems_omitted": max(0, len(self.problems) - MAX_PROBLEMS_LISTED),
        }

    def summary(self) -> list[str]:
        """The result as lines for a person (the command prints them)."""
        lines = [
            _("Decoded as %(encoding)s; %(rows)d lines, %(calls)d calls.")
            % {"encoding": self.encoding, "rows": self.rows, "calls": self.calls},
            _("Created: %(created)d; duplicates: %(duplicates)d; parked: %(parked)d.")
            % {"created": self.created, "duplicates": self.duplicates, "parked": self.parked_total},
        ]
        for (reason, missing), count in sorted(self.parked.items()):
            lines.append(
                _("Parked, %(reason)s %(missing)s: %(count)d")
                % {"reason": ParkedCall.Reason(reason).label, "missing": missing, "count": count}
            )
        lines += [
            _("Line %(line)d: %(message)s") % {"line": p.line, "message": p.message}
            for p in self.problems[:MAX_PROBLEMS_LISTED]
        ]
        if self.dry_run:
            lines.append(_("Dry run: nothing was stored."))
        return lines


def read_cdr(data: bytes, *, fmt: str, source: TelephonySource) -> tuple[CdrRead, str]:
    """``(what the reader made of the file, the encoding used)``; ``DomainError`` for a file
    that cannot be read at all (a wrong format name, a generic mapping that does not fit)."""
    if fmt not in FORMATS:
        raise DomainError(
            _("Unknown CDR format %(format)s; one of: %(formats)s.")
            % {"format": fmt, "formats": ", ".join(FORMATS)},
            details={"format": [_("Not a CDR format.")]},
        )
    if len(data) > MAX_FILE_BYTES:
        raise DomainError(
            _("The file is larger than 50 MB; split it."),
            details={"file": [_("Larger than 50 MB.")]},
        )
    text, encoding = decode(data)
    zone = ZoneInfo(source.time_zone)
    if fmt == ASTERISK_CSV:
        return read_asterisk_csv(text, zone=zone), encoding
    if fmt == FREESWITCH_CSV:
        return read_freeswitch_csv(text, zone=zone), encoding
    try:
        return read_generic_csv(text, zone=zone, column_map=source.column_map), encoding
    except ValueError as error:
        raise DomainError(str(error), details={"column_map": [str(error)]}) from error


def cdr_import(
    *,
    source: TelephonySource,
    data: bytes,
    fmt: str,
    project: Project | None = None,
    file_name: str = "",
    dry_run: bool = False,
    allowed_project_ids: set[int] | None = None,
) -> CdrImportResult:
    """Import one CDR file for ``source``; ``project`` (if given) takes every call."""
    if project is not None and project.client_id != source.client_id:
        raise DomainError(
            _("Project %(project)s is not of the source's client.") % {"project": project.code},
            details={"project": [_("Another client's project.")]},
        )
    read, encoding = read_cdr(data, fmt=fmt, source=source)
    result = CdrImportResult(
        format=fmt, encoding=encoding, dry_run=dry_run, rows=read.rows, calls=len(read.calls)
    )
    result.problems.extend(read.problems)
    maps = SourceMaps.load(source)
    with transaction.atomic():
        rows: list[tuple[CdrCall, dict]] = []
        for call in read.calls:
            row = store_or_park(
                call, source=source, maps=maps, project=project, file_name=file_name
            )
            if isinstance(row, tuple):
                result.parked[row] += 1
            else:
                rows.append((call, row))
        _ingest(rows, result, source, allowed_project_ids)
        if dry_run:
            transaction.set_rollback(True)
    result.problems.sort(key=lambda problem: problem.line)
    return result


def store_or_park(
    call: CdrCall,
    *,
    source: TelephonySource,
    maps: SourceMaps,
    project: Project | None,
    file_name: str = "",
) -> dict | tuple[str, str]:
    """Resolve one call through the mappings: its ``calls_ingest`` row, or park it whole and
    return ``(reason, missing)``.

    The project: ``project`` when given, else the first of the call's queue names that is
    mapped (the Queue() name, then dst, then dcontext), else the source's only queue
    mapping. The operator: the agent of the operator's answer, mapped as written or
    normalized (``PJSIP/1001-0000002a`` -> ``1001``); a call nobody answered needs none.
    """
    target = project or next(
        (found for name in call.queues if (found := maps.project_for(name))), None
    )
    if target is None and len(set(maps.projects.values())) == 1:
        target = next(iter(maps.projects.values()))
    operator = maps.operator_for(call.agent) if call.agent else None
    if target is None:
        missing = (ParkedCall.Reason.UNMAPPED_QUEUE.value, (call.queues or ("",))[0])
    elif call.agent and operator is None:
        missing = (ParkedCall.Reason.UNKNOWN_AGENT.value, call.agent)
    else:
        return _ingest_row(call, target, operator, region=source.phone_region)
    # The payload the replay reads (telephony.parking): the row without project and
    # operator, the queue to map, the agent to map; a project already decided (``project``
    # given) travels with it, so only the missing agent is waited for.
    payload = call_payload(
        [_call_row(call, region=source.phone_region)],
        queue=(call.queues or ("",))[0],
        agents=[call.agent] if call.agent else [],
    )
    if target is not None:
        payload["project"] = target.code
    park(
        source,
        call_key=call.key,
        reason=missing[0],
        missing=missing[1][:128],
        payload=payload,
        file_name=file_name[:255],
        line_no=call.line,
    )
    return missing


def _ingest_row(call: CdrCall, project: Project, operator, *, region: str) -> dict:
    """The call in ``calls_ingest``'s shape."""
    return {
        "project": project.code,
        "operator": operator.code if operator else None,
        **_call_row(call, region=region),
    }


def _call_row(call: CdrCall, *, region: str) -> dict:
    """The call's own fields: the caller in E.164 by the source's region, the number as the
    PBX wrote it kept beside it (``calls.phones``)."""
    return {
        "external_id": call.key,
        "direction": "inbound",
        "caller": phone_normalize(call.caller, region),
        "caller_raw": (call.caller or "")[:64],
        "offered_at": call.started_at.isoformat(),
        "answered_at": call.answered_at.isoformat() if call.answered_at else None,
        "ended_at": call.ended_at.isoformat(),
        "disposition": call.disposition,
    }


def _ingest(rows, result: CdrImportResult, source, allowed_project_ids) -> None:
    """Store the rows in batches; a row the ingestion refuses becomes a problem on its line
    and the batch goes again without it. Parked calls now stored are marked stored."""
    stored_keys = []
    for start in range(0, len(rows), MAX_BATCH):
        batch = rows[start : start + MAX_BATCH]
        while batch:
            try:
                with transaction.atomic():
                    outcome = calls_ingest(
                        rows=[row for _call, row in batch], allowed_project_ids=allowed_project_ids
                    )
            except DomainError as error:
                refused = _refused(error, len(batch))
                if not refused:
                    raise
                for index in sorted(refused, reverse=True):
                    call, _row = batch.pop(index)
                    result.problems.append(Problem(call.line, refused[index]))
                continue
            result.created += outcome.created
            result.duplicates += outcome.duplicates
            stored_keys += [call.key for call, _row in batch]
            break
    ParkedCall.objects.filter(
        source=source, call_key__in=stored_keys, resolved_at__isnull=True
    ).update(resolved_at=timezone.now())


def _refused(error: DomainError, size: int) -> dict[int, str]:
    refused = {}
    for key, message in (error.details or {}).items():
        try:
            index = int(key)
        except (TypeError, ValueError):
            continue
        if 0 <= index < size:
            refused[index] = _flatten(message)
    return refused


def _flatten(message: object) -> str:
    if isinstance(message, Mapping):
        return "; ".join(f"{name}: {_flatten(text)}" for name, text in message.items())
    if isinstance(message, list | tuple):
        return "; ".join(_flatten(text) for text in message)
    return str(message)
