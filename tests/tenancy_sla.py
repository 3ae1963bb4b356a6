"""Tenancy matrix entries for sla-terms/ (billing: a project's SLA terms and credit tiers).

Scoped like the tariffs: the PM of A's project reads and writes A's terms; the integration
reads them and writes none (403); B's are a 404, naming B's project a 400 on ``project``.
"""

import datetime as dt

from billing.models import SlaTerm

VALID_FROM = dt.date(2026, 1, 1)


def side_term(world, side):
    """The side's project's SLA terms (made once)."""
    term, _ = SlaTerm.objects.get_or_create(
        project=world[side].project,
        valid_from=VALID_FROM,
        defaults={"target_percent": "80.00", "threshold_seconds": 20},
    )
    return term.pk


def term_body(world, side, valid_from="2026-11-01"):
    return {
        "project": world[side].project.code,
        "valid_from": valid_from,
        "metric": "service_level",
        "target_percent": "85.00",
        "threshold_seconds": 30,
        "tiers": [
            {"shortfall_up_to_points": "5.00", "credit_percent": "5.00"},
            {"shortfall_up_to_points": None, "credit_percent": "10.00"},
        ],
    }


def retargeted(world, side, role, lookup):
    return str(SlaTerm.objects.get(pk=lookup).target_percent) == "85.00"


def entries():
    from tests import test_tenancy_matrix as m

    @m.dataclass(frozen=True)
    class TermListRoute(m.ListRoute):
        def prepare(self, world, side):
            for tenant_side in (m.OURS, m.THEIRS):
                side_term(world, tenant_side)
            return None, None

    def key_of(tenant):
        return SlaTerm.objects.get(project=tenant.project, valid_from=VALID_FROM).pk

    return {
        ("sla-terms/", "GET"): TermListRoute(key="id", key_of=key_of, sees=m.EVERYONE_SEES_OURS),
        ("sla-terms/", "POST"): m.CreateRoute(
            body=term_body,
            field="project",
            expect={m.SUPERUSER: 201, m.PM: (201, 400), m.INTEGRATION: 403},
            stored=lambda w, side: SlaTerm.objects.filter(
                project=w[side].project, valid_from=dt.date(2026, 11, 1)
            ).exists(),
        ),
        ("sla-terms/{pk}/", "GET"): m.DetailRoute(
            target=side_term,
            key="id",
            expect={m.SUPERUSER: 200, m.PM: (200, 404), m.INTEGRATION: (200, 404)},
        ),
        ("sla-terms/{pk}/", "PUT"): m.DetailRoute(
            target=side_term,
            body=lambda w, side: term_body(w, side, valid_from="2026-01-01"),
            expect={m.SUPERUSER: 200, m.PM: (200, 404), m.INTEGRATION: 403},
            applied=retargeted,
        ),
        ("sla-terms/{pk}/", "PATCH"): m.DetailRoute(
            target=side_term,
            body=lambda w, side: {"target_percent": "85.00"},
            expect={m.SUPERUSER: 200, m.PM: (200, 404), m.INTEGRATION: 403},
            applied=retargeted,
            move=m.Move(
                body=lambda w: {"project": w.theirs.project.code},
                field="project",
                expect={m.SUPERUSER: 200, m.PM: 400, m.INTEGRATION: 403},
                applied=lambda w: SlaTerm.objects.get(project=w.theirs.project) is not None,
            ),
        ),
        ("sla-terms/{pk}/", "DELETE"): m.DetailRoute(
            target=side_term,
            expect={m.SUPERUSER: 204, m.PM: (204, 404), m.INTEGRATION: 403},
            applied=m.gone(SlaTerm, "pk"),
        ),
    }
