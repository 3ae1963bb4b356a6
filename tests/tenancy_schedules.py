"""Tenancy matrix entries for shifts, absences, schedule adherence and intraday.

``entries()`` is called by ``tests/test_tenancy_matrix.py`` once its route kinds exist, so
it imports them lazily.

The rules (agents.api.shift_views, workforce.api.adherence_views, intraday_views):

- integration tokens get a 403 on every route, before any lookup (the center's planning);
- absences and adherence are over the shared pool: staff (the PM) reach every operator,
  B's included;
- a shift on a project follows the project: the PM gets A's, B's is a 404 and absent
  from lists, naming B's project is a 400 naming ``project``; intraday follows the project.
"""

import datetime as dt
from dataclasses import dataclass

SHIFT_DAY = dt.date(2026, 10, 20)


def _at(hour):
    return dt.datetime.combine(SHIFT_DAY, dt.time(hour), dt.UTC)


def entries():  # noqa: C901  one flat list of matrix entries, read top to bottom
    from agents.models import Absence, Shift
    from tests import test_tenancy_matrix as m
    from tests.factories import AbsenceFactory, ShiftFactory

    SU, PM, BOT = m.SUPERUSER, m.PM, m.INTEGRATION

    def side_shift(world, side, *, project=True):
        tenant = world[side]
        shift = Shift.objects.filter(operator=tenant.operator, starts_at=_at(9)).first()
        if shift is None:
            shift = ShiftFactory(
                operator=tenant.operator,
                project=tenant.project if project else None,
                starts_at=_at(9),
                ends_at=_at(17),
            )
        return shift

    def side_absence(world, side):
        absence = Absence.objects.filter(operator=world[side].operator).first()
        return absence or AbsenceFactory(operator=world[side].operator)

    def shift_body(world, side):
        tenant = world[side]
        return {
            "operator": tenant.operator.code,
            "project": tenant.project.code,
            "start": "2026-10-21T09:00:00Z",
            "end": "2026-10-21T17:00:00Z",
            "note": "Renamed",
            "activities": [
                {"kind": "lunch", "start": "2026-10-21T13:00:00Z", "end": "2026-10-21T13:30:00Z"}
            ],
        }

    def absence_body(world, side):
        return {
            "operator": world[side].operator.code,
            "kind": "vacation",
            "first_day": "2026-11-02",
            "last_day": "2026-11-06",
            "note": "Renamed",
        }

    @dataclass(frozen=True)
    class StaffListRoute:
        """A list open to staff (rows as ``route`` says), a 403 to an integration."""

        route: m.ListRoute
        make: object = None  # (world, side) -> row, called for both sides first
        shared_pool: tuple = ()
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
    class PoolAdherenceRoute:
        """pool/adherence/ of the shifts' day: both operators to staff, a 403 to an
        integration."""

        shared_pool = (PM,)
        format = "json"
        sides = (m.NEW,)

        def expected(self, role, side):
            return 403 if role == BOT else 200

        def refused_field(self, side):
            return None

        def prepare(self, world, side):
            for tenant_side in (m.OURS, m.THEIRS):
                side_shift(world, tenant_side, project=False)
            return None, {"date": SHIFT_DAY.isoformat()}

        def check(self, response, world, side, role, lookup):
            got = [row["operator"] for row in response.json()["operators"]]
            assert got == sorted(t.operator.code for t in (world.ours, world.theirs))

    def note_is(model):
        return lambda world, side, role, lookup: model.objects.get(pk=lookup).note == "Renamed"

    pool_lists = {SU: (m.OURS, m.THEIRS), PM: (m.OURS, m.THEIRS), BOT: ()}
    scoped_lists = {SU: (m.OURS, m.THEIRS), PM: (m.OURS,), BOT: ()}

    return {
        ("shifts/", "GET"): StaffListRoute(
            route=m.ListRoute(
                key="id",
                key_of=lambda t: Shift.objects.get(operator=t.operator).pk,
                sees=scoped_lists,
            ),
            make=side_shift,
        ),
        ("shifts/", "POST"): m.CreateRoute(
            body=shift_body,
            field="project",
            expect={SU: 201, PM: (201, 400), BOT: 403},
            stored=lambda w, side: Shift.objects.filter(
                operator=w[side].operator, project=w[side].project, activities__kind="lunch"
            ).exists(),
        ),
        ("shifts/{pk}/", "GET"): m.DetailRoute(
            target=lambda w, side: side_shift(w, side).pk,
            key="id",
            expect={SU: 200, PM: (200, 404), BOT: 403},
        ),
        ("shifts/{pk}/", "PUT"): m.DetailRoute(
            target=lambda w, side: side_shift(w, side).pk,
            body=shift_body,
            expect={SU: 200, PM: (200, 404), BOT: 403},
            applied=note_is(Shift),
        ),
        ("shifts/{pk}/", "PATCH"): m.DetailRoute(
            target=lambda w, side: side_shift(w, side).pk,
            body=lambda w, side: {"note": "Renamed"},
            expect={SU: 200, PM: (200, 404), BOT: 403},
            applied=note_is(Shift),
            move=m.Move(
                body=lambda w: {
                    "operator": w.theirs.operator.code,
                    "project": w.theirs.project.code,
                },
                field="project",
                expect={SU: 200, PM: 400, BOT: 403},
                applied=lambda w: Shift.objects.filter(
                    operator=w.theirs.operator, project=w.theirs.project
                ).exists(),
            ),
        ),
        ("shifts/{pk}/", "DELETE"): m.DetailRoute(
            target=lambda w, side: side_shift(w, side).pk,
            expect={SU: 204, PM: (204, 404), BOT: 403},
            applied=m.gone(Shift, "pk"),
        ),
        ("absences/", "GET"): StaffListRoute(
            route=m.ListRoute(
                key="id",
                key_of=lambda t: Absence.objects.get(operator=t.operator).pk,
                sees=pool_lists,
            ),
            make=side_absence,
            shared_pool=(PM,),
        ),
        ("absences/", "POST"): m.CreateRoute(
            body=absence_body,
            field="operator",
            expect={SU: 201, PM: 201, BOT: 403},
            stored=lambda w, side: Absence.objects.filter(
                operator=w[side].operator, starts_on=dt.date(2026, 11, 2)
            ).exists(),
            shared_pool=(PM,),
        ),
        ("absences/{pk}/", "GET"): m.DetailRoute(
            target=lambda w, side: side_absence(w, side).pk,
            key="id",
            expect={SU: 200, PM: 200, BOT: 403},
            shared_pool=(PM,),
        ),
        ("absences/{pk}/", "PUT"): m.DetailRoute(
            target=lambda w, side: side_absence(w, side).pk,
            body=absence_body,
            expect={SU: 200, PM: 200, BOT: 403},
            applied=note_is(Absence),
            shared_pool=(PM,),
        ),
        ("absences/{pk}/", "PATCH"): m.DetailRoute(
            target=lambda w, side: side_absence(w, side).pk,
            body=lambda w, side: {"note": "Renamed"},
            expect={SU: 200, PM: 200, BOT: 403},
            applied=note_is(Absence),
            shared_pool=(PM,),
        ),
        ("absences/{pk}/", "DELETE"): m.DetailRoute(
            target=lambda w, side: side_absence(w, side).pk,
            expect={SU: 204, PM: 204, BOT: 403},
            applied=m.gone(Absence, "pk"),
            shared_pool=(PM,),
        ),
        ("operators/{code}/adherence/", "GET"): m.DetailRoute(
            target=lambda w, side: w[side].operator.code,
            key="operator",
            expect={SU: 200, PM: 200, BOT: 403},
            shared_pool=(PM,),
        ),
        ("pool/adherence/", "GET"): PoolAdherenceRoute(),
        ("projects/{code}/intraday/", "GET"): m.DetailRoute(
            target=lambda w, side: w[side].project.code,
            key="project",
            body=lambda w, side: {"date": "2026-10-06"},
            expect={SU: 200, PM: (200, 404), BOT: 403},
        ),
    }
