"""Tenancy matrix entries for the people routes: training, lifecycle and turnover (agents).

``entries()`` is called by ``tests/test_tenancy_matrix.py`` once its route kinds exist
(``ListRoute``, ``DetailRoute``, ``CreateRoute``...), so it imports them lazily.

The rules of these routes (agents.api.people_views, workforce.api.bench_views):

- integration tokens neither read nor change people data: a 403 on every route, before any
  lookup, so their answer on B's object is the same 403 as on A's;
- lifecycle moves, history and turnover are over the shared operator pool: staff (the PM)
  reach every operator, B's included, as on ``operators/``;
- training and bench strength follow the project: the PM (a manager holds the trainer
  role) gets A's programs and enrolments, B's are a 404, absent from lists, or a 400
  naming ``project`` / ``program`` when named in a body.
"""

import datetime as dt
from dataclasses import dataclass


def entries():  # noqa: C901  a table of cases, one branch per endpoint
    from agents.models import Certification, Operator, TrainingEnrolment, TrainingProgram
    from tests import test_tenancy_matrix as m
    from tests.factories.people import TrainingEnrolmentFactory

    SU, PM, BOT = m.SUPERUSER, m.PM, m.INTEGRATION

    def side_program(world, side):
        program, _ = TrainingProgram.objects.get_or_create(
            project=world[side].project,
            name="Induction",
            defaults={"hours": 40, "passing_score": 80},
        )
        return program

    def side_enrolment(world, side):
        program = side_program(world, side)
        enrolment = TrainingEnrolment.objects.filter(program=program).first()
        if enrolment is None:
            enrolment = TrainingEnrolmentFactory(
                program=program, operator=world[side].operator, started_on=dt.date(2026, 10, 5)
            )
        return enrolment

    @dataclass(frozen=True)
    class StaffListRoute:
        """A list open to staff (rows as ``route`` says), a 403 to an integration."""

        route: m.ListRoute
        make: object = None  # (world, side) -> row, called for both sides first
        shared_pool = ()
        format = "json"
        sides = (m.ALL,)

        def expected(self, role, side):
            return 403 if role == BOT else 200

        def prepare(self, world, side):
            for tenant_side in (m.OURS, m.THEIRS):
                self.make(world, tenant_side)
            return None, None

        def check(self, response, world, side, role, lookup):
            self.route.check(response, world, side, role, lookup)

    @dataclass(frozen=True)
    class StaffReportRoute:
        """A staff report over the whole pool (no codes named): 200 to staff, 403 to an
        integration; the answer covers exactly the months asked for."""

        query: dict
        months: tuple
        shared_pool = (PM,)
        format = "json"
        sides = (m.NEW,)

        def expected(self, role, side):
            return 403 if role == BOT else 200

        def refused_field(self, side):
            return None

        def prepare(self, world, side):
            return None, dict(self.query)

        def check(self, response, world, side, role, lookup):
            assert [row["month"] for row in response.json()["months"]] == list(self.months)

    staff_lists = {SU: (m.OURS, m.THEIRS), PM: (m.OURS,), BOT: ()}

    def dismissed(world, side, role, lookup):
        return Operator.objects.get(code=lookup).status == "dismissed"

    def program_renamed(world, side, role, lookup):
        return TrainingProgram.objects.get(pk=lookup).name == "Renamed"

    def program_body(world, side):
        return {
            "project": world[side].project.code,
            "name": "Renamed",
            "hours": 24,
            "passing_score": 75,
        }

    return {
        # Lifecycle: staff over the shared pool.
        ("operators/{code}/status/", "POST"): m.DetailRoute(
            target=lambda w, side: w[side].operator.code,
            body=lambda w, side: {"to_status": "dismissed", "on": "2026-10-09", "reason": "other"},
            expect={SU: 200, PM: 200, BOT: 403},
            applied=dismissed,
            shared_pool=(PM,),
        ),
        ("operators/{code}/history/", "GET"): m.DetailRoute(
            target=lambda w, side: w[side].operator.code,
            key="operator",
            expect={SU: 200, PM: 200, BOT: 403},
            shared_pool=(PM,),
        ),
        ("people/turnover/", "GET"): StaffReportRoute(
            query={"from": "2026-09", "to": "2026-10"}, months=("2026-09", "2026-10")
        ),
        # Training: by project, for trainers and managers.
        ("training/programs/", "GET"): StaffListRoute(
            route=m.ListRoute(
                key="id",
                key_of=lambda t: TrainingProgram.objects.get(project=t.project).pk,
                sees=staff_lists,
            ),
            make=side_program,
        ),
        ("training/programs/", "POST"): m.CreateRoute(
            body=lambda w, side: {
                "project": w[side].project.code,
                "name": f"New course {side}",
                "hours": 16,
                "passing_score": 70,
            },
            field="project",
            expect={SU: 201, PM: (201, 400), BOT: 403},
            stored=lambda w, side: TrainingProgram.objects.filter(
                project=w[side].project, name=f"New course {side}"
            ).exists(),
        ),
        ("training/programs/{pk}/", "GET"): m.DetailRoute(
            target=lambda w, side: side_program(w, side).pk,
            key="id",
            expect={SU: 200, PM: (200, 404), BOT: 403},
        ),
        ("training/programs/{pk}/", "PUT"): m.DetailRoute(
            target=lambda w, side: side_program(w, side).pk,
            body=program_body,
            expect={SU: 200, PM: (200, 404), BOT: 403},
            applied=program_renamed,
        ),
        ("training/programs/{pk}/", "PATCH"): m.DetailRoute(
            target=lambda w, side: side_program(w, side).pk,
            body=lambda w, side: {"name": "Renamed"},
            expect={SU: 200, PM: (200, 404), BOT: 403},
            applied=program_renamed,
            # A course stays with its project: handing it to B is refused to everyone,
            # so only the PM's refusal is a matrix case (see test_api_people).
        ),
        ("training/programs/{pk}/", "DELETE"): m.DetailRoute(
            target=lambda w, side: side_program(w, side).pk,
            expect={SU: 204, PM: (204, 404), BOT: 403},
            applied=m.gone(TrainingProgram, "pk"),
        ),
        ("training/enrolments/", "GET"): StaffListRoute(
            route=m.ListRoute(
                key="id",
                key_of=lambda t: TrainingEnrolment.objects.get(program__project=t.project).pk,
                sees=staff_lists,
            ),
            make=side_enrolment,
        ),
        ("training/enrolments/", "POST"): m.CreateRoute(
            body=lambda w, side: {
                "operator": w[side].operator.code,
                "program": side_program(w, side).pk,
                "started_on": "2026-10-05",
            },
            field="program",
            expect={SU: 201, PM: (201, 400), BOT: 403},
            stored=lambda w, side: TrainingEnrolment.objects.filter(
                operator=w[side].operator, program__project=w[side].project
            ).exists(),
        ),
        ("training/enrolments/{pk}/", "GET"): m.DetailRoute(
            target=lambda w, side: side_enrolment(w, side).pk,
            key="id",
            expect={SU: 200, PM: (200, 404), BOT: 403},
        ),
        ("training/enrolments/{pk}/result/", "POST"): m.DetailRoute(
            target=lambda w, side: side_enrolment(w, side).pk,
            body=lambda w, side: {"score": 90, "on": "2026-10-09"},
            expect={SU: 200, PM: (200, 404), BOT: 403},
            applied=lambda w, side, role, lookup: (
                TrainingEnrolment.objects.get(pk=lookup).status == "passed"
                and Certification.objects.filter(
                    operator=w[side].operator, project=w[side].project
                ).count()
                == 1
            ),
        ),
        # Bench strength (workforce.api.bench_views): the project's scope, staff only.
        ("projects/{code}/bench-strength/", "GET"): m.DetailRoute(
            target=lambda w, side: w[side].project.code,
            key="project",
            body=lambda w, side: {"start": "2026-10-12", "days": 1},
            expect={SU: 200, PM: (200, 404), BOT: 403},
        ),
    }
