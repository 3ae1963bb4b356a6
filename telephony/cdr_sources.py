"""The source an import without ``--source`` uses, and mappings added from command flags.

``source_for_import`` finds (or makes) the client's source of the format's kind, coded
``<client>-<kind>`` (``acme-asterisk-cdr-csv``). ``add_agent_mappings`` writes
``--agent-map NAME=OPERATOR`` pairs into the source's table, refusing a right-hand side
that cannot be an operator code, with the reason.
"""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext as _

from agents.models import Operator
from contactcenter.errors import DomainError
from projects.models import Project
from telephony.models import AgentMapping, TelephonySource

_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


def source_for_import(*, project: Project, kind: str, time_zone: str | None, region: str | None):
    """The project's client's source of ``kind``; made with ``time_zone`` and ``region``
    when missing (an existing source keeps its own settings: they are edited in the admin)."""
    client = project.client
    code = f"{client.code}-{kind}"[:40]
    source, created = TelephonySource.objects.get_or_create(
        code=code,
        defaults={
            "client": client,
            "name": f"{client.code} {TelephonySource.Kind(kind).label}"[:120],
            "kind": kind,
            "time_zone": time_zone or "Europe/Moscow",
            "phone_region": region or "RU",
        },
    )
    if created:
        source.full_clean()
    elif source.client_id != client.pk:
        raise DomainError(
            _("Source %(code)s belongs to another client.") % {"code": code},
            details={"source": [_("Another client's source.")]},
        )
    return source


def parse_agent_map(values: list[str]) -> dict[str, str]:
    """``["PJSIP/1001=ivan", "Paty Marin=paty"]`` -> ``{name: operator code}``; a clear
    ``DomainError`` for a pair that is not ``NAME=OPERATOR`` with a slug on the right."""
    pairs = {}
    for value in values:
        name, sep, code = value.partition("=")
        name, code = name.strip(), code.strip()
        if not sep or not name or not code:
            raise DomainError(
                _("--agent-map takes NAME=OPERATOR, got %(value)r.") % {"value": value},
                details={"agent_map": [_("Not NAME=OPERATOR.")]},
            )
        if not _SLUG.match(code):
            raise DomainError(
                _(
                    "%(code)r cannot be an operator code: operator codes are slugs (Latin "
                    "letters, digits, - and _, no spaces). Put the PBX's name on the left and "
                    'the operator code on the right: --agent-map "%(code)s=<operator code>".'
                )
                % {"code": code},
                details={"agent_map": [_("The operator code is not a slug.")]},
            )
        pairs[name] = code
    return pairs


@transaction.atomic
def add_agent_mappings(source: TelephonySource, pairs: dict[str, str]) -> int:
    """Write the pairs into the source's agent table (a name mapped again moves); returns how
    many pairs were written."""
    operators = dict(
        Operator.objects.filter(code__in=set(pairs.values())).values_list("code", "pk")
    )
    unknown = sorted(set(pairs.values()) - set(operators))
    if unknown:
        raise DomainError(
            _("Unknown operator codes: %(codes)s.") % {"codes": ", ".join(unknown)},
            details={"agent_map": [_("Unknown operator.")]},
        )
    for name, code in pairs.items():
        AgentMapping.objects.update_or_create(
            source=source,
            kind=AgentMapping.Kind.AGENT,
            name=name[:128],
            defaults={"operator_id": operators[code]},
        )
    return len(pairs)
