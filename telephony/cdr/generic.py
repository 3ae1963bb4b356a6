"""A generic CSV of calls, read through the column mapping saved on its source.

``TelephonySource.column_map`` maps a call field to the file's column (by header name,
case and surrounding spaces ignored), plus three settings::

    {"external_id": "Call ID", "offered_at": "Start", "answered_at": "Answer",
     "ended_at": "End", "caller": "From", "agent": "Agent", "queue": "Queue",
     "disposition": "Status", "time_format": "%d.%m.%Y %H:%M:%S",
     "time_zone": "Europe/Moscow", "delimiter": ";"}

Fields: ``external_id`` and ``offered_at`` required; the end as ``ended_at``, or
``duration_seconds`` (from the offer), or ``talk_seconds`` (from the answer); the answer as
``answered_at`` or ``wait_seconds`` (answered when talk or an agent follows); ``caller``,
``agent``, ``queue``, ``disposition`` optional. ``time_format`` is a ``strptime`` format
(default: ISO 8601 and the usual PBX forms); ``time_zone`` the zone of naive times (default:
the source's); ``delimiter`` one character (default: ``;`` when the header has one and no
comma, else ``,``). A header row comes first. An answer with no agent is a PBX-only
answer, as in the native formats.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from telephony.cdr.common import (
    NAIVE_TIME_FORMATS,
    CdrCall,
    CdrRead,
    Problem,
    numbered_rows,
    parse_naive,
    parse_seconds,
)

FIELDS = (
    "external_id",
    "offered_at",
    "answered_at",
    "ended_at",
    "wait_seconds",
    "talk_seconds",
    "duration_seconds",
    "caller",
    "agent",
    "queue",
    "disposition",
)
SETTINGS = ("time_format", "time_zone", "delimiter")
MAX_KEY_LENGTH = 64


def column_map_errors(column_map: object) -> list[str]:
    """What is wrong with a saved mapping, as messages; empty when it can be used."""
    if not isinstance(column_map, dict) or not column_map:
        return [_("The source has no column mapping: set one for the generic CSV format.")]
    errors = []
    unknown = sorted(set(column_map) - set(FIELDS) - set(SETTINGS))
    if unknown:
        errors.append(
            _("Unknown fields in the column mapping: %(names)s.") % {"names": ", ".join(unknown)}
        )
    errors.extend(
        _("The column mapping needs %(field)s.") % {"field": name}
        for name in ("external_id", "offered_at")
        if not column_map.get(name)
    )
    if not any(column_map.get(name) for name in ("ended_at", "duration_seconds", "talk_seconds")):
        errors.append(_("The column mapping needs ended_at, duration_seconds or talk_seconds."))
    if any(not isinstance(column_map.get(name, ""), str) for name in (*FIELDS, *SETTINGS)):
        errors.append(_("Every value of the column mapping is a text."))
    zone = column_map.get("time_zone")
    if zone and zone not in zoneinfo.available_timezones():
        errors.append(_("Unknown time zone: %(zone)s.") % {"zone": zone})
    if len(column_map.get("delimiter", ",") or ",") != 1:
        errors.append(_("The delimiter is one character."))
    return errors


def read_generic_csv(text: str, *, zone: ZoneInfo, column_map: dict) -> CdrRead:
    """Read a CSV through ``column_map`` (checked first: ``ValueError`` with the messages)."""
    errors = column_map_errors(column_map)
    if errors:
        raise ValueError(" ".join(errors))
    if column_map.get("time_zone"):
        zone = ZoneInfo(column_map["time_zone"])
    formats = (column_map["time_format"],) if column_map.get("time_format") else NAIVE_TIME_FORMATS
    header_line = text.split("\n", 1)[0]
    delimiter = column_map.get("delimiter") or (
        ";" if ";" in header_line and "," not in header_line else ","
    )
    result = CdrRead()
    rows = numbered_rows(text, delimiter)
    header = next(rows, None)
    if header is None:
        return result
    position = {name.strip().lower(): index for index, name in enumerate(header[1])}
    wanted = {field: column_map[field] for field in FIELDS if column_map.get(field)}
    missing = [column for column in wanted.values() if column.strip().lower() not in position]
    if missing:
        raise ValueError(
            _("Columns of the mapping not in the header: %(names)s.")
            % {"names": ", ".join(missing)}
        )
    index = {field: position[column.strip().lower()] for field, column in wanted.items()}
    seen: dict[str, int] = {}
    for line, cells in rows:
        result.rows += 1
        values = {field: cells[i].strip() if i < len(cells) else "" for field, i in index.items()}
        try:
            call = _call(line, values, zone, formats)
        except ValueError as error:
            result.problems.append(Problem(line, str(error)))
            continue
        if call.key in seen:
            result.problems.append(
                Problem(
                    line,
                    _("external_id %(key)s repeats line %(first)d; this line is left out.")
                    % {"key": call.key, "first": seen[call.key]},
                )
            )
            continue
        seen[call.key] = line
        result.calls.append(call)
    return result


def _time(values: dict, name: str, zone: ZoneInfo, formats) -> dt.datetime | None:
    return parse_naive(values.get(name, ""), zone, formats)


def _call(line: int, values: dict, zone: ZoneInfo, formats) -> CdrCall:
    key = values.get("external_id", "")
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValueError(_("external_id is blank or longer than 64 characters."))
    offered = _time(values, "offered_at", zone, formats)
    if offered is None:
        raise ValueError(_("offered_at is blank."))
    answered = _time(values, "answered_at", zone, formats)
    talk = parse_seconds(values.get("talk_seconds", ""))
    if answered is None and values.get("wait_seconds") and (talk or values.get("agent")):
        answered = offered + dt.timedelta(seconds=parse_seconds(values["wait_seconds"]))
    ended = _time(values, "ended_at", zone, formats)
    if ended is None and values.get("duration_seconds"):
        ended = offered + dt.timedelta(seconds=parse_seconds(values["duration_seconds"]))
    if ended is None:
        ended = (answered or offered) + dt.timedelta(
            seconds=talk if answered else parse_seconds(values.get("wait_seconds", ""))
        )
    if ended < offered:
        raise ValueError(_("The call ends before it starts."))
    call = CdrCall(
        key=key,
        line=line,
        started_at=offered,
        ended_at=ended,
        caller=values.get("caller", ""),
        queues=(values["queue"],) if values.get("queue") else (),
        disposition=values.get("disposition", "")[:64],
        lines=[line],
    )
    if answered is not None:
        if values.get("agent"):
            call.agent = values["agent"]
            call.answered_at = min(max(answered, offered), ended)
        else:
            call.pbx_answered = True
            call.disposition = call.disposition or "pbx-answered"
    return call
