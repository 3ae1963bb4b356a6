"""A source's mapping tables read once per import: queue -> project, PBX names -> operator.

``SourceMaps.load(source)`` reads both tables; ``project_for`` and ``operator_for`` answer
from memory. Operator names are tried as written, then in the normalized form
(``agent_name``: technology, ``@context`` and Local's ``/n`` stripped, lower-cased), so
``PJSIP/1001`` finds a mapping written ``1001``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agents.models import Operator
from projects.models import Project
from telephony.models import AgentMapping, QueueMapping, TelephonySource

_TECH = re.compile(r"^[A-Za-z0-9_]+/")


def agent_name(raw: str) -> str:
    """``PJSIP/op001-0000002a`` -> ``op001``; ``Local/1001@agents/n`` -> ``1001``."""
    name = _TECH.sub("", raw.strip(), count=1)
    name = name.split("@", 1)[0]
    if name.endswith("/n"):
        name = name[:-2]
    if raw.strip().upper().startswith(("SIP/", "PJSIP/", "IAX2/", "DAHDI/")) and "-" in name:
        name = name.rsplit("-", 1)[0]  # a channel's unique suffix
    return name.lower()


@dataclass
class SourceMaps:
    source: TelephonySource
    projects: dict[str, Project] = field(default_factory=dict)
    operators: dict[str, Operator] = field(default_factory=dict)

    @classmethod
    def load(cls, source: TelephonySource) -> SourceMaps:
        maps = cls(source)
        for row in QueueMapping.objects.filter(source=source).select_related("project"):
            maps.projects[row.queue] = row.project
        for agent in AgentMapping.objects.filter(source=source).select_related("operator"):
            maps.operators[agent.name] = agent.operator
            maps.operators.setdefault(agent_name(agent.name), agent.operator)
        return maps

    def project_for(self, queue: str) -> Project | None:
        return self.projects.get(queue)

    def operator_for(self, *names: str) -> Operator | None:
        """The first of ``names`` mapped (as written, then normalized); ``None`` if none is."""
        for name in names:
            if name and (found := self.operators.get(name) or self.operators.get(agent_name(name))):
                return found
        return None
