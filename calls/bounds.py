"""The bounds of a call record (docs/limits.md): the database's ceilings, the settings that
tighten them, and the rules that tie a call's instants, operator and seconds together.

Both readers of ``calls.ingest`` (the inline fast one and the field parsers) call
``time_errors``, so they agree on these rules by construction.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import checks
from django.utils.translation import gettext as _

from contactcenter.batch import EARLIEST_INSTANT, InstantWindow, instant_window

# Ceilings held by the CHECKs of migration 0010 (calls_call); a setting may only lower them.
MAX_CONNECTED_SECONDS = 86_400  # answered_at..ended_at: 24 h
MAX_WAIT_SECONDS = 86_400  # offered_at..answered_at (or ..ended_at if unanswered): 24 h
MAX_WRAP_SECONDS = 3_600  # after-call work: 1 h

_CEILINGS = {
    "CALL_MAX_CONNECTED_SECONDS": MAX_CONNECTED_SECONDS,
    "CALL_MAX_WAIT_SECONDS": MAX_WAIT_SECONDS,
    "CALL_MAX_WRAP_SECONDS": MAX_WRAP_SECONDS,
}


@dataclass(frozen=True)
class CallBounds:
    """What one batch checks its calls against; built once per batch (``call_bounds``)."""

    window: InstantWindow
    max_connected: int
    max_wait: int
    max_wrap: int
    # The same bounds as timedeltas: whole seconds rounded up stay within an integer bound
    # exactly when the exact duration does, so the rules compare durations directly.
    connected_limit: dt.timedelta
    wait_limit: dt.timedelta


def call_bounds(now: dt.datetime | None = None) -> CallBounds:
    """The bounds the settings set, each capped at its database ceiling."""
    max_connected = _setting("CALL_MAX_CONNECTED_SECONDS")
    max_wait = _setting("CALL_MAX_WAIT_SECONDS")
    return CallBounds(
        window=instant_window(now),
        max_connected=max_connected,
        max_wait=max_wait,
        max_wrap=_setting("CALL_MAX_WRAP_SECONDS"),
        connected_limit=dt.timedelta(seconds=max_connected),
        wait_limit=dt.timedelta(seconds=max_wait),
    )


def _setting(name):
    return max(min(int(getattr(settings, name)), _CEILINGS[name]), 0)


def whole_seconds(delta: dt.timedelta) -> int:
    """Whole seconds of a non-negative timedelta, a fractional second rounding up (SPEC 3)."""
    return delta.days * 86_400 + delta.seconds + (delta.microseconds > 0)


def time_errors(
    operator_id: int | None,
    offered_at: dt.datetime,
    answered_at: dt.datetime | None,
    ended_at: dt.datetime,
    hold_seconds: int | None,
    bounds: CallBounds,
) -> dict[str, list[str]] | None:
    """``{field: [messages]}`` for the rules of SPEC section 3 that tie the (parsed) instants,
    the operator and the hold together, and the duration bounds; ``None`` when all hold.

    ``hold_seconds`` is ``None`` when it did not parse.
    """
    if answered_at is None:
        errors = None
        if operator_id is not None:
            errors = {"operator": [_("An unanswered call has no operator.")]}
        if ended_at < offered_at:
            return _add(errors, "ended_at", _("Cannot be before offered_at."))
        if hold_seconds:
            errors = _add(
                errors, "hold_seconds", _("Cannot exceed the connected time (0 s: unanswered).")
            )
        if ended_at - offered_at > bounds.wait_limit:
            wait = whole_seconds(ended_at - offered_at)
            errors = _add(errors, "ended_at", _too_long("wait", wait, bounds.max_wait))
        return errors
    errors = None
    if answered_at < offered_at:
        errors = _add(errors, "answered_at", _("Cannot be before offered_at."))
    else:
        wait = whole_seconds(answered_at - offered_at)
        if wait > bounds.max_wait:
            errors = _add(errors, "answered_at", _too_long("wait", wait, bounds.max_wait))
    if ended_at < answered_at:
        return _add(errors, "ended_at", _("Cannot be before answered_at."))
    connected = whole_seconds(ended_at - answered_at)
    if connected > bounds.max_connected:
        errors = _add(
            errors, "ended_at", _too_long("be connected", connected, bounds.max_connected)
        )
    elif hold_seconds and hold_seconds > connected:
        errors = _add(
            errors,
            "hold_seconds",
            _("Cannot exceed the connected time (%(seconds)d s from answered_at to ended_at).")
            % {"seconds": connected},
        )
    return errors


def _too_long(what, seconds, limit):
    if what == "wait":
        message = _("A call may wait at most %(limit)d s; this one would wait %(seconds)d s.")
    else:
        message = _(
            "A call may be connected at most %(limit)d s; "
            "this one would be connected %(seconds)d s."
        )
    return message % {"limit": limit, "seconds": seconds}


def _add(errors, name, message):
    if errors is None:
        errors = {}
    errors.setdefault(name, []).append(message)
    return errors


@checks.register()
def check_bound_settings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A bound set above what the database's CHECK holds is capped; say so at startup."""
    problems: list[checks.CheckMessage] = [
        checks.Warning(
            f"{name} = {getattr(settings, name)} exceeds the database's ceiling {ceiling}; "
            f"{ceiling} applies.",
            hint="A setting may only tighten the bound (docs/limits.md).",
            id="calls.W001",
        )
        for name, ceiling in _CEILINGS.items()
        if int(getattr(settings, name)) > ceiling
    ]
    earliest = settings.CALL_EARLIEST_INSTANT
    if isinstance(earliest, str):
        earliest = dt.datetime.fromisoformat(earliest)
    if earliest < EARLIEST_INSTANT:
        problems.append(
            checks.Warning(
                f"CALL_EARLIEST_INSTANT = {earliest.isoformat()} is before the database's "
                "floor 2000-01-01T00:00:00Z, which applies.",
                hint="A setting may only tighten the bound (docs/limits.md).",
                id="calls.W002",
            )
        )
    return problems
