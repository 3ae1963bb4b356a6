"""The database refuses calls and contacts that break SPEC section 3, and computes the
derived durations itself, a fractional second rounding up.

Rows are written through the ORM (``create``, ``queryset.update``, ``bulk_create``), which
never calls ``full_clean``: what is refused here is refused by PostgreSQL, whichever code
path writes. Each refused statement runs in its own savepoint so the test can go on.
"""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from calls.models import Call, Contact
from tests.constraints import assert_refused_on_insert_and_update, assert_saved_as_given
from tests.factories import T0, CallFactory, ContactFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def after(seconds):
    """The instant ``seconds`` (fractions allowed) after the tests' fixed clock."""
    return T0 + dt.timedelta(seconds=seconds)


@pytest.mark.parametrize("factory", [ContactFactory, CallFactory])
def test_a_valid_factory_row_saves(factory):
    row = factory()

    row.refresh_from_db()
    assert type(row).objects.filter(pk=row.pk).exists()


# --- Contact ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        pytest.param("84951234567", id="national format, no plus"),
        pytest.param("+04951234567", id="country code starting with 0"),
        pytest.param("+7 495 123", id="with spaces"),
        pytest.param("+7495123456a", id="with a letter"),
        pytest.param("+123456", id="6 digits, too short"),
        pytest.param("", id="empty"),
    ],
)
def test_contact_refuses_a_phone_not_in_e164(phone):
    assert_refused_on_insert_and_update(ContactFactory, {"phone": phone}, "contact_phone_e164")


@pytest.mark.parametrize(
    "phone",
    [
        pytest.param("+1234567", id="7 digits"),
        pytest.param("+74951234567", id="a Moscow number"),
        pytest.param("+123456789012345", id="15 digits"),
    ],
)
def test_contact_accepts_a_phone_in_e164(phone):
    contact = ContactFactory(phone=phone)

    contact.refresh_from_db()
    assert contact.phone == phone


def test_contact_phone_is_unique_per_project():
    first = ContactFactory(phone="+74951234567")

    with pytest.raises(IntegrityError, match="contact_phone_per_project"), transaction.atomic():
        ContactFactory(project=first.project, phone="+74951234567")
    ContactFactory(phone="+74951234567")  # another project

    assert Contact.objects.filter(phone="+74951234567").count() == 2


# --- Call ---------------------------------------------------------------------------------

# The factory's call: offered at T0, answered 12 s later, ended 150 s after the answer,
# 10 s hold, 20 s wrap, with an operator. Each case breaks one rule, except that an end
# before the answer also makes connected negative, breaking the hold check too: PostgreSQL
# tests checks in alphabetical order of name, so it reports call_ended_after_start.
BAD_CALLS = [
    pytest.param({"direction": "internal"}, "call_direction_valid", id="unknown direction"),
    pytest.param(
        {"answered_at": after(-1), "ended_at": after(100)},
        "call_answered_after_offered",
        id="answered before offered",
    ),
    pytest.param(
        {"answered_at": after(12), "ended_at": after(11), "hold_seconds": 0},
        "call_ended_after_start",
        id="ended before answered",
    ),
    pytest.param(
        {"answered_at": None, "operator": None, "hold_seconds": 0, "ended_at": after(-1)},
        "call_ended_after_start",
        id="unanswered, ended before offered",
    ),
    pytest.param({"hold_seconds": -1}, "call_seconds_non_negative", id="negative hold"),
    pytest.param({"wrap_seconds": -1}, "call_seconds_non_negative", id="negative wrap"),
    pytest.param(
        {"answered_at": after(12), "ended_at": after(162), "hold_seconds": 151},
        "call_hold_within_connected",
        id="hold longer than connected",
    ),
    pytest.param(
        {"answered_at": None, "operator": None, "ended_at": after(30), "hold_seconds": 1},
        "call_hold_within_connected",
        id="hold on an unanswered call",
    ),
    pytest.param(
        {"answered_at": None, "ended_at": after(30), "hold_seconds": 0},
        "call_operator_only_if_answered",
        id="operator on an unanswered call",
    ),
    pytest.param({"caller": "84951234567"}, "call_caller_e164", id="caller without plus"),
    pytest.param({"caller": "+04951234567"}, "call_caller_e164", id="caller starting +0"),
    pytest.param({"caller": "+7 495 12345"}, "call_caller_e164", id="caller with spaces"),
    pytest.param({"caller": "+123456"}, "call_caller_e164", id="caller of 6 digits"),
    pytest.param({"caller": "anonymous"}, "call_caller_e164", id="caller as a word"),
]


@pytest.mark.parametrize(("overrides", "constraint"), BAD_CALLS)
def test_call_refuses_a_bad_row(overrides, constraint):
    assert_refused_on_insert_and_update(CallFactory, overrides, constraint)
    assert Call.objects.count() == 1  # only the valid row the update started from


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"caller": ""}, id="caller withheld"),
        pytest.param({"caller": "+1234567"}, id="caller of 7 digits"),
        pytest.param({"caller": "+123456789012345"}, id="caller of 15 digits"),
        pytest.param({"direction": "outbound"}, id="outbound"),
        pytest.param(
            {"answered_at": T0, "ended_at": T0, "hold_seconds": 0},
            id="answered and ended the instant it was offered",
        ),
        pytest.param(
            {"answered_at": after(12), "ended_at": after(162), "hold_seconds": 150},
            id="hold as long as connected",
        ),
        pytest.param(
            # The check compares with the rounded-up seconds: 149.1 s connected holds 150.
            {"answered_at": after(12), "ended_at": after(161.1), "hold_seconds": 150},
            id="hold up to the rounded-up connected seconds",
        ),
        pytest.param(
            {"answered_at": None, "operator": None, "hold_seconds": 0, "ended_at": T0},
            id="unanswered, ended the instant it was offered",
        ),
        pytest.param(
            {"answered_at": after(12), "operator": None}, id="answered without a known operator"
        ),
    ],
)
def test_call_accepts_a_valid_row(overrides):
    call = CallFactory(**overrides)

    assert_saved_as_given(call, overrides)


def test_call_external_id_is_unique_per_project():
    first = CallFactory(external_id="cdr-1")

    with pytest.raises(IntegrityError, match="call_external_id_per_project"), transaction.atomic():
        CallFactory(project=first.project, external_id="cdr-1")
    with pytest.raises(IntegrityError, match="call_external_id_per_project"), transaction.atomic():
        Call.objects.bulk_create(
            [
                Call(
                    project=first.project,
                    external_id="cdr-1",
                    offered_at=T0,
                    ended_at=after(5),
                )
            ]
        )
    CallFactory(project=ProjectFactory(), external_id="cdr-1")

    assert Call.objects.filter(external_id="cdr-1").count() == 2
    assert Call.objects.filter(project=first.project).count() == 1


# --- Call: derived durations (generated columns) ------------------------------------------


# answered and ended are seconds after offered_at; None: never answered.
# fmt: off
DURATIONS = [
    # description                     answered  ended     hold wrap wait conn  talk  handle
    ("whole seconds",                 12,       162,      10,  20,  12,  150,  140,  170),
    ("10.2 s wait, 60.3 s connected", 10.2,     70.5,     10,  20,  11,  61,   51,   81),
    ("a microsecond rounds up",       0.000001, 0.000002, 0,   0,   1,   1,    1,    1),
    ("exact seconds stay exact",      1,        3601,     0,   0,   1,   3600, 3600, 3600),
    ("hung up at once, wrap only",    0,        0,        0,   45,  0,   0,    0,    45),
    ("all connected time on hold",    20,       100.9,    81,  0,   20,  81,   0,    81),
    ("unanswered: waits to the end",  None,     7.5,      0,   0,   8,   0,    0,    0),
    ("unanswered, ended at once",     None,     0,        0,   0,   0,   0,    0,    0),
]
# fmt: on


@pytest.mark.parametrize(
    ("answered", "ended", "hold", "wrap", "wait", "connected", "talk", "handle"),
    [pytest.param(*case[1:], id=case[0]) for case in DURATIONS],
)
def test_call_derives_durations_in_whole_seconds_rounding_up(
    answered, ended, hold, wrap, wait, connected, talk, handle
):
    call = CallFactory(
        offered_at=T0,
        answered_at=None if answered is None else after(answered),
        operator=None,
        ended_at=after(ended),
        hold_seconds=hold,
        wrap_seconds=wrap,
    )

    call.refresh_from_db()
    assert (
        call.wait_seconds,
        call.connected_seconds,
        call.talk_seconds,
        call.handle_seconds,
    ) == (wait, connected, talk, handle)


def test_call_durations_follow_an_update_and_are_the_same_through_a_bulk_insert():
    call = CallFactory(
        offered_at=T0, answered_at=after(10.2), ended_at=after(70.5), hold_seconds=10
    )

    Call.objects.filter(pk=call.pk).update(ended_at=after(100.5), wrap_seconds=5)
    (bulk,) = Call.objects.bulk_create(
        [
            Call(
                project=call.project,
                external_id="bulk-1",
                offered_at=T0,
                answered_at=after(10.2),
                ended_at=after(100.5),
                hold_seconds=10,
                wrap_seconds=5,
            )
        ]
    )

    fields = ("wait_seconds", "connected_seconds", "talk_seconds", "handle_seconds")
    assert list(Call.objects.filter(pk__in=[call.pk, bulk.pk]).values_list(*fields)) == [
        (11, 91, 81, 96),
        (11, 91, 81, 96),
    ]
