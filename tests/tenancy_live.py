"""Tenancy matrix entries for the live routes (live.api.views).

- call-events/ POST follows calls/ POST: a project in scope is stored, B's project is an
  unknown ``project`` (400), nothing stored;
- a project's live state follows the project: B's is a 404;
- the pool's live state and its operators mix every client's projects: staff (the PM) and
  superusers read them, an integration gets a 403 before anything is read.

The live state is in Redis: each prepare empties this test run's keys, so every answer is
built from the world's rows alone.
"""

from dataclasses import dataclass


def entries():
    from live import state
    from live.models import CallEvent
    from tests import test_tenancy_matrix as m

    SU, PM, BOT = m.SUPERUSER, m.PM, m.INTEGRATION

    def fresh(value):
        state.clear()
        return value

    def event_body(world, side):
        return {
            "external_id": f"live-{side}",
            "project": world[side].project.code,
            "event": "offered",
            "at": "2026-10-05T09:00:00Z",
        }

    @dataclass(frozen=True)
    class PoolLiveRoute:
        """The whole pool's live state: 200 to staff, 403 to an integration."""

        found: object  # (answer) -> what the answer must hold for the world
        shared_pool = (PM,)
        format = "json"
        sides = (m.NEW,)

        def expected(self, role, side):
            return 403 if role == BOT else 200

        def refused_field(self, side):
            return None

        def prepare(self, world, side):
            return fresh(None), None

        def check(self, response, world, side, role, lookup):
            assert self.found(response.json())

    def pool_agents(body):
        # The world's two operators, each ready since their one agent event.
        return body["agents"] == {"ready": 2, "on_call": 0, "wrap": 0, "break": 0, "offline": 0}

    def pool_operators(body):
        return [(row["operator"], row["state"]) for row in body] == [
            ("alfa-op", "ready"),
            ("beta-op", "ready"),
        ]

    return {
        ("call-events/", "POST"): m.CreateRoute(
            body=event_body,
            field="project",
            expect={SU: 201, PM: (201, 400), BOT: (201, 400)},
            stored=lambda w, side: CallEvent.objects.filter(
                project=w[side].project, external_id=f"live-{side}"
            ).exists(),
        ),
        ("projects/{code}/live/", "GET"): m.DetailRoute(
            target=lambda w, side: fresh(w[side].project.code),
            expect={SU: 200, PM: (200, 404), BOT: (200, 404)},
        ),
        ("pool/live/", "GET"): PoolLiveRoute(found=pool_agents),
        ("pool/live/operators/", "GET"): PoolLiveRoute(found=pool_operators),
    }
