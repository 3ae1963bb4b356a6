"""FreeSWITCH ``mod_cdr_csv`` with its default template, ``example``.

``autoload_configs/cdr_csv.conf.xml`` ships ``default-template`` = ``example``, whose
columns are: caller_id_name, caller_id_number, destination_number, context, start_stamp,
answer_stamp, end_stamp, duration, billsec, hangup_cause, uuid, bleg_uuid, accountcode,
read_codec, write_codec (15; the first 13, as the ``sql`` template and older versions
write them, are enough). No header; times are naive local times ``YYYY-MM-DD HH:MM:SS``
(a spreadsheet's re-save, ``2020/2/10 22:41``, is read too); an unanswered leg has an empty
``answer_stamp``.

One line is one leg (``legs=a``, the default, writes only the caller's A-leg). A line whose
``uuid`` is another line's ``bleg_uuid`` (``legs=ab``) is that call's B-leg and joins it;
the call is keyed by the A-leg's ``uuid``. **The operator's answer**: an answered A-leg
bridged to a B-leg (``bleg_uuid`` written) was answered by ``destination_number``, the
extension the dialplan bridged to (``user/${destination_number}``). **A PBX-only answer**:
an answered A-leg with no ``bleg_uuid`` was answered by FreeSWITCH itself (IVR, voicemail,
conference, echo) and is stored unanswered, disposition ``pbx-answered``. A file whose
lines never carry a ``bleg_uuid`` (a template without it) cannot tell the two apart: there
every answered line counts as the destination's answer. A ``uuid`` repeated is reported
and its first line kept.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from telephony.cdr.common import CdrCall, CdrRead, Problem, numbered_rows, parse_naive

COLUMNS = (
    "caller_id_name",
    "caller_id_number",
    "destination_number",
    "context",
    "start_stamp",
    "answer_stamp",
    "end_stamp",
    "duration",
    "billsec",
    "hangup_cause",
    "uuid",
    "bleg_uuid",
    "accountcode",
    "read_codec",
    "write_codec",
)
MIN_COLUMNS = 13
MAX_KEY_LENGTH = 64


def read_freeswitch_csv(text: str, *, zone: ZoneInfo) -> CdrRead:
    """Read a FreeSWITCH ``Master.csv`` of the default template; naive times in ``zone``."""
    result = CdrRead()
    rows: dict[str, tuple[int, dict]] = {}
    for line, cells in numbered_rows(text):
        result.rows += 1
        if len(cells) < MIN_COLUMNS:
            result.problems.append(
                Problem(
                    line,
                    _("%(count)d columns; the FreeSWITCH example template writes 15.")
                    % {"count": len(cells)},
                )
            )
            continue
        row = {name: value.strip() for name, value in zip(COLUMNS, cells, strict=False)}
        try:
            row["start"] = parse_naive(row["start_stamp"], zone)
            row["answer"] = parse_naive(row["answer_stamp"], zone)
            row["end"] = parse_naive(row["end_stamp"], zone)
        except ValueError as error:
            result.problems.append(Problem(line, str(error)))
            continue
        if row["start"] is None:
            result.problems.append(Problem(line, _("no start_stamp")))
            continue
        uuid = row["uuid"]
        if not uuid or len(uuid) > MAX_KEY_LENGTH:
            result.problems.append(Problem(line, _("No usable uuid.")))
            continue
        if uuid in rows:
            result.problems.append(
                Problem(
                    line,
                    _("uuid %(uuid)s repeats line %(first)d; this line is left out.")
                    % {"uuid": uuid, "first": rows[uuid][0]},
                )
            )
            continue
        rows[uuid] = (line, row)
    b_legs = {row["bleg_uuid"] for _line, row in rows.values() if row["bleg_uuid"]}
    writes_bleg = bool(b_legs)
    for uuid, (line, row) in rows.items():
        if uuid in b_legs:
            continue  # a B-leg: its A-leg is the call
        b_leg = rows.get(row["bleg_uuid"], (None, {}))[1]
        result.calls.append(_call(uuid, line, row, b_leg, writes_bleg=writes_bleg))
    return result


def _call(uuid: str, line: int, row: dict, b_leg: dict, *, writes_bleg: bool) -> CdrCall:
    end = max(filter(None, (row["end"], b_leg.get("end"), row["start"])))
    call = CdrCall(
        key=uuid,
        line=line,
        started_at=row["start"],
        ended_at=end,
        caller=row["caller_id_number"],
        queues=tuple(dict.fromkeys(q for q in (row["destination_number"], row["context"]) if q)),
        lines=[line],
        disposition=row["hangup_cause"].lower()[:64],
    )
    if row["answer"] is None:
        return call
    if row["bleg_uuid"] or not writes_bleg:
        call.agent = row["destination_number"]
        answered = b_leg.get("answer") or row["answer"]
        call.answered_at = min(max(answered, call.started_at), call.ended_at)
        return call
    call.pbx_answered = True
    call.disposition = "pbx-answered"
    return call
