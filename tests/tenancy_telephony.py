"""Tenancy matrix entries for the telephony routes (telephony.api.views).

Each client has a PBX source (``pbx-a`` for A, ``pbx-b`` for B) with a queue mapped to its
project, an agent name mapped to its operator and a parked call. Sources follow their
client: the PM (who manages A's project) and A's integration list, read, change and map
A's source; B's source is a 404, naming it (or B's project or operator) in a create is a
400 naming ``source``, nothing stored. Deleting a source is for superusers (403 before
any lookup). The center's telephony reaches both clients' sources (TELEPHONY_REACHES).
"""

from telephony.models import AgentMapping, ParkedCall, QueueMapping, TelephonySource


def _letter(tenant):
    return tenant.client.code[0]  # alfa-co -> a, beta-co -> b


def side_source(world, side):
    tenant = world[side]
    source, _ = TelephonySource.objects.get_or_create(
        code=f"pbx-{_letter(tenant)}",
        defaults={"client": tenant.client, "name": "PBX", "kind": "asterisk-queue-log"},
    )
    return source


def side_queue_mapping(world, side):
    mapping, _ = QueueMapping.objects.get_or_create(
        source=side_source(world, side),
        queue=f"q-{_letter(world[side])}",
        defaults={"project": world[side].project},
    )
    return mapping


def side_agent_mapping(world, side):
    mapping, _ = AgentMapping.objects.get_or_create(
        source=side_source(world, side),
        kind="member",
        name=f"Agent {_letter(world[side]).upper()}",
        defaults={"operator": world[side].operator},
    )
    return mapping


def side_parked_call(world, side):
    parked, _ = ParkedCall.objects.get_or_create(
        source=side_source(world, side),
        call_key=f"call-{_letter(world[side])}",
        resolved_at=None,
        defaults={
            "reason": "unknown_agent",
            "missing": "Paty Marin",
            "payload": {"queue": "support", "agents": ["Paty Marin"], "rows": []},
        },
    )
    return parked


def entries():
    from tests import test_tenancy_matrix as m

    SU, PM, BOT = m.SUPERUSER, m.PM, m.INTEGRATION
    SCOPED = {SU: 200, PM: (200, 404), BOT: (200, 404)}
    DELETED = {SU: 204, PM: (204, 404), BOT: (204, 404)}

    def listed(make):
        @m.dataclass(frozen=True)
        class TelephonyListRoute(m.ListRoute):
            def prepare(self, world, side):
                for tenant_side in (m.OURS, m.THEIRS):
                    make(world, tenant_side)
                return None, None

        return TelephonyListRoute

    def gone(model):
        return lambda w, side, role, lookup: not model.objects.filter(pk=lookup).exists()

    def created(model, **lookup):
        return lambda w, side: model.objects.filter(
            source__code=side_source(w, side).code, **lookup
        ).exists()

    return {
        ("telephony/sources/", "GET"): listed(side_source)(
            key="code", key_of=lambda t: f"pbx-{_letter(t)}", sees=m.EVERYONE_SEES_OURS
        ),
        ("telephony/sources/", "POST"): m.CreateRoute(
            body=lambda w, side: {
                "code": f"new-{side}",
                "name": "New PBX",
                "client": w[side].client.code,
                "kind": "asterisk-cdr-csv",
                "time_zone": "Europe/Samara",
                "phone_region": "US",
            },
            field="client",
            expect={SU: 201, PM: (201, 400), BOT: (201, 400)},
            stored=lambda w, side: TelephonySource.objects.filter(code=f"new-{side}").exists(),
        ),
        ("telephony/sources/{code}/", "GET"): m.DetailRoute(
            target=lambda w, side: side_source(w, side).code, key="code", expect=SCOPED
        ),
        ("telephony/sources/{code}/", "PATCH"): m.DetailRoute(
            target=lambda w, side: side_source(w, side).code,
            body=lambda w, side: {"name": "Renamed"},
            expect=SCOPED,
            applied=m.renamed(TelephonySource, "name", "code"),
        ),
        ("telephony/sources/{code}/", "PUT"): m.DetailRoute(
            target=lambda w, side: side_source(w, side).code,
            body=lambda w, side: {
                "code": side_source(w, side).code,
                "name": "Renamed",
                "client": w[side].client.code,
                "kind": "asterisk-queue-log",
            },
            expect=SCOPED,
            applied=m.renamed(TelephonySource, "name", "code"),
        ),
        ("telephony/sources/{code}/", "DELETE"): m.DetailRoute(
            target=lambda w, side: side_source(w, side).code,
            expect={SU: 204, PM: 403, BOT: 403},
            applied=lambda w, side, role, lookup: (
                not TelephonySource.objects.filter(code=lookup).exists()
            ),
        ),
        ("telephony/queue-mappings/", "GET"): listed(side_queue_mapping)(
            key="queue", key_of=lambda t: f"q-{_letter(t)}", sees=m.EVERYONE_SEES_OURS
        ),
        ("telephony/queue-mappings/", "POST"): m.CreateRoute(
            body=lambda w, side: {
                "source": side_source(w, side).code,
                "queue": "new-queue",
                "project": w[side].project.code,
            },
            field="source",
            expect={SU: 201, PM: (201, 400), BOT: (201, 400)},
            stored=created(QueueMapping, queue="new-queue"),
        ),
        ("telephony/queue-mappings/{pk}/", "GET"): m.DetailRoute(
            target=lambda w, side: side_queue_mapping(w, side).pk, key="id", expect=SCOPED
        ),
        ("telephony/queue-mappings/{pk}/", "PATCH"): m.DetailRoute(
            target=lambda w, side: side_queue_mapping(w, side).pk,
            body=lambda w, side: {"queue": "Renamed"},
            expect=SCOPED,
            applied=m.renamed(QueueMapping, "queue", "pk"),
        ),
        ("telephony/queue-mappings/{pk}/", "PUT"): m.DetailRoute(
            target=lambda w, side: side_queue_mapping(w, side).pk,
            body=lambda w, side: {
                "source": side_source(w, side).code,
                "queue": "Renamed",
                "project": w[side].project.code,
            },
            expect=SCOPED,
            applied=m.renamed(QueueMapping, "queue", "pk"),
        ),
        ("telephony/queue-mappings/{pk}/", "DELETE"): m.DetailRoute(
            target=lambda w, side: side_queue_mapping(w, side).pk,
            expect=DELETED,
            applied=gone(QueueMapping),
        ),
        ("telephony/agent-mappings/", "GET"): listed(side_agent_mapping)(
            key="name", key_of=lambda t: f"Agent {_letter(t).upper()}", sees=m.EVERYONE_SEES_OURS
        ),
        ("telephony/agent-mappings/", "POST"): m.CreateRoute(
            body=lambda w, side: {
                "source": side_source(w, side).code,
                "kind": "member",
                "name": "Paty Marin",
                "operator": w[side].operator.code,
            },
            field="source",
            expect={SU: 201, PM: (201, 400), BOT: (201, 400)},
            stored=created(AgentMapping, name="Paty Marin"),
        ),
        ("telephony/agent-mappings/{pk}/", "GET"): m.DetailRoute(
            target=lambda w, side: side_agent_mapping(w, side).pk, key="id", expect=SCOPED
        ),
        ("telephony/agent-mappings/{pk}/", "PATCH"): m.DetailRoute(
            target=lambda w, side: side_agent_mapping(w, side).pk,
            body=lambda w, side: {"name": "Renamed"},
            expect=SCOPED,
            applied=m.renamed(AgentMapping, "name", "pk"),
        ),
        ("telephony/agent-mappings/{pk}/", "PUT"): m.DetailRoute(
            target=lambda w, side: side_agent_mapping(w, side).pk,
            body=lambda w, side: {
                "source": side_source(w, side).code,
                "kind": "member",
                "name": "Renamed",
                "operator": w[side].operator.code,
            },
            expect=SCOPED,
            applied=m.renamed(AgentMapping, "name", "pk"),
        ),
        ("telephony/agent-mappings/{pk}/", "DELETE"): m.DetailRoute(
            target=lambda w, side: side_agent_mapping(w, side).pk,
            expect=DELETED,
            applied=gone(AgentMapping),
        ),
        ("telephony/parked/", "GET"): listed(side_parked_call)(
            key="call_key", key_of=lambda t: f"call-{_letter(t)}", sees=m.EVERYONE_SEES_OURS
        ),
        ("telephony/parked/{pk}/", "GET"): m.DetailRoute(
            target=lambda w, side: side_parked_call(w, side).pk, key="id", expect=SCOPED
        ),
    }
