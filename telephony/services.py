"""Writes of the mapping tables: each one queues the replay of the source's parked calls.

The admin, the API and the import commands' ``--queue-map``/``--agent-map`` flags all
write through these (or call ``schedule_replay`` after their own save), so adding the
mapping a parked call waits for always stores it.
"""

from __future__ import annotations

from django.db import transaction

from agents.models import Operator
from projects.models import Project
from telephony.models import AgentMapping, QueueMapping, TelephonySource
from telephony.tasks import schedule_replay


@transaction.atomic
def queue_map(*, source: TelephonySource, queue: str, project: Project) -> QueueMapping:
    """Map ``queue`` of ``source`` to ``project`` (replacing an earlier mapping)."""
    mapping = QueueMapping(source=source, queue=queue, project=project)
    mapping.full_clean(validate_unique=False, validate_constraints=False)
    mapping, _created = QueueMapping.objects.update_or_create(
        source=source, queue=queue, defaults={"project": project}
    )
    schedule_replay(source.pk)
    return mapping


@transaction.atomic
def agent_map(
    *,
    source: TelephonySource,
    name: str,
    operator: Operator,
    kind: str = AgentMapping.Kind.AGENT,
) -> AgentMapping:
    """Map the PBX's ``name`` (of ``kind``) on ``source`` to ``operator``."""
    mapping, _created = AgentMapping.objects.update_or_create(
        source=source, kind=kind, name=name, defaults={"operator": operator}
    )
    schedule_replay(source.pk)
    return mapping


def source_save(source: TelephonySource) -> TelephonySource:
    """Create or change a source, its fields checked as the admin checks them."""
    source.full_clean(validate_unique=False, validate_constraints=False)
    source.save()
    return source


@transaction.atomic
def mapping_save(mapping: QueueMapping | AgentMapping) -> QueueMapping | AgentMapping:
    """Save a mapping edited as a whole (API create or update) and queue the replay."""
    mapping.full_clean(validate_unique=False, validate_constraints=False)
    mapping.save()
    schedule_replay(mapping.source_id)
    return mapping
