"""Helpers for billing tests: answered calls with exact durations, and a fixed clock."""

import contextlib
import datetime as dt
import zoneinfo
from decimal import Decimal

import time_machine

from billing.models import Tariff, TariffBand
from calls.models import Call
from tests.factories import CallFactory, TariffFactory

UTC = dt.UTC


def local_dt(text, timezone="Europe/Moscow"):
    """An aware instant from a local wall-clock time: local_dt('2026-10-09 23:00')."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=zoneinfo.ZoneInfo(timezone))


def answered_call(
    project,
    offered_at,
    *,
    connected,
    hold=0,
    wrap=0,
    answer_after=5,
    received_at=None,
    **fields,
):
    """An answered call lasting exactly ``connected`` seconds, received a minute after it
    was offered unless ``received_at`` says otherwise (auto_now_add is overwritten)."""
    answered_at = offered_at + dt.timedelta(seconds=answer_after)
    call = CallFactory(
        project=project,
        offered_at=offered_at,
        answered_at=answered_at,
        ended_at=answered_at + dt.timedelta(seconds=connected),
        hold_seconds=hold,
        wrap_seconds=wrap,
        **fields,
    )
    received_at = received_at or offered_at + dt.timedelta(minutes=1)
    Call.objects.filter(pk=call.pk).update(received_at=received_at)
    return call


def abandoned_call(project, offered_at, **fields):
    call = CallFactory(
        project=project,
        offered_at=offered_at,
        answered_at=None,
        operator=None,
        ended_at=offered_at + dt.timedelta(seconds=40),
        hold_seconds=0,
        wrap_seconds=0,
        **fields,
    )
    Call.objects.filter(pk=call.pk).update(received_at=offered_at + dt.timedelta(minutes=1))
    return call


def tariff(project, valid_from=dt.date(2026, 1, 1), *, rate="1.0000", scheme="1/1", bands=(), **f):
    first, next_ = (int(part) for part in scheme.split("/"))
    created = TariffFactory(
        project=project,
        valid_from=valid_from,
        rate_per_minute=Decimal(rate),
        first_increment_seconds=first,
        next_increment_seconds=next_,
        **f,
    )
    for position, (name, weekdays, start, end, band_rate) in enumerate(bands):
        TariffBand.objects.create(
            tariff=created,
            position=position,
            name=name,
            weekdays=weekdays,
            start=dt.time.fromisoformat(start),
            end=dt.time.fromisoformat(end),
            rate_per_minute=Decimal(band_rate),
        )
    return Tariff.objects.prefetch_related("bands").get(pk=created.pk)


@contextlib.contextmanager
def clock(when):
    """A fixed clock (no ticking) at an aware instant or an ISO text in UTC."""
    if isinstance(when, str):
        when = dt.datetime.fromisoformat(when).replace(tzinfo=UTC)
    with time_machine.travel(when, tick=False):
        yield when
