"""An operator's time off and shift swap, from their page to the manager's decision."""

from django.urls import reverse

from agents.models import Absence, Shift, ShiftSwap, TimeOffRequest
from agents.replacements import replacements_for
from tests.factories import ShiftFactory
from tests.selfservice.conftest import at, local_day, operator_login


def test_a_day_off_asked_approved_by_the_pm_becomes_an_absence_with_replacements(team):
    day = local_day(5)
    shift = ShiftFactory(
        operator=team["anna"], project=team["project"], starts_at=at(day, 9), ends_at=at(day, 17)
    )

    asked = team["anna_client"].post(
        "/me/time-off/",
        {
            "kind": "vacation",
            "first_day": day.isoformat(),
            "last_day": day.isoformat(),
            "note": "свадьба",
        },
    )

    assert asked.status_code == 302
    request = TimeOffRequest.objects.get()
    assert (request.operator, request.status, request.starts_on, request.note) == (
        team["anna"],
        "pending",
        day,
        "свадьба",
    )
    assert not Absence.objects.exists()

    changelist = reverse("admin:agents_timeoffrequest_changelist")
    decided = team["pm"].post(
        changelist, {"action": "approve", "_selected_action": [request.pk]}, follow=True
    )

    assert decided.status_code == 200
    request.refresh_from_db()
    absence = Absence.objects.get()
    assert (request.status, request.absence, request.decided_by) == (
        "approved",
        absence,
        team["manager"],
    )
    assert (absence.operator, absence.kind, absence.starts_on, absence.ends_on) == (
        team["anna"],
        "vacation",
        day,
        day,
    )
    candidates, excluded = replacements_for(absence=absence)
    assert [(c.operator.code, c.shifts) for c in candidates] == [
        ("boris", [shift]),
        ("vera", [shift]),
    ]
    assert [(e.operator.code, e.code) for e in excluded] == [("anna", "absent_operator")]
    # The changelist links to the absence's replacements, which its page offers.
    listed = team["pm"].get(changelist).content.decode()
    link = reverse("admin:agents_absence_change", args=[absence.pk])
    assert f'href="{link}#replacements"' in listed
    page = team["pm"].get(link).content.decode()
    assert f'form="assign-{shift.pk}-boris"' in page


def test_a_declined_day_off_makes_no_absence(team):
    day = local_day(3)
    team["anna_client"].post("/me/time-off/", {"kind": "other", "first_day": day, "last_day": day})
    request = TimeOffRequest.objects.get()
    team["pm"].post(
        reverse("admin:agents_timeoffrequest_changelist"),
        {"action": "decline", "_selected_action": [request.pk]},
    )
    request.refresh_from_db()
    assert (request.status, Absence.objects.count()) == ("declined", 0)


def test_a_day_off_in_the_past_is_refused_naming_the_field(team):
    day = local_day(-1)
    page = team["anna_client"].post(
        "/me/time-off/", {"kind": "other", "first_day": day, "last_day": day}
    )
    assert page.status_code == 200
    assert page.context["form"].errors == {"first_day": ["Cannot be in the past."]}
    assert not TimeOffRequest.objects.exists()


def test_a_swap_that_breaks_the_rest_rule_is_refused_with_the_reason(team):
    day = local_day(4)
    shift = ShiftFactory(
        operator=team["anna"], project=team["project"], starts_at=at(day, 9), ends_at=at(day, 18)
    )
    # Boris works the night before until 04:00: 5 hours before Anna's shift, 12 required.
    ShiftFactory(
        operator=team["boris"],
        starts_at=at(day, 4) - (at(day, 12) - at(day, 4)),
        ends_at=at(day, 4),
    )

    team["anna_client"].post("/me/swaps/offer/", {"shift": shift.pk})
    swap = ShiftSwap.objects.get()
    assert (swap.shift, swap.offered_by, swap.status) == (shift, team["anna"], "offered")

    refused = team["boris_client"].post(f"/me/swaps/{swap.pk}/accept/", follow=True)

    assert [str(m) for m in refused.context["messages"]] == [
        "The swap breaks a rule: Would rest 5.0 hours between shifts, less than their 12."
    ]
    swap.refresh_from_db()
    assert (swap.status, swap.taken_by) == ("offered", None)
    # Boris is not offered it on his page either; Vera is, takes it, and the PM approves.
    assert team["boris_client"].get("/me/swaps/").context["takeable"] == []
    vera_client = operator_login(team["vera"], "vera")
    assert [r["swap"] for r in vera_client.get("/me/swaps/").context["takeable"]] == [swap]
    vera_client.post(f"/me/swaps/{swap.pk}/accept/")
    swap.refresh_from_db()
    assert (swap.status, swap.taken_by) == ("accepted", team["vera"])

    team["pm"].post(
        reverse("admin:agents_shiftswap_changelist"),
        {"action": "approve", "_selected_action": [swap.pk]},
    )

    swap.refresh_from_db()
    assert (swap.status, swap.decided_by) == ("approved", team["manager"])
    assert Shift.objects.get(pk=shift.pk).operator == team["vera"]
    assert Shift.objects.get(pk=shift.pk).note == "Swapped from anna"
