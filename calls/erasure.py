"""Erasure of callers' data (152-FZ art. 21, GDPR art. 17): on request, and by retention.

Erasing a number pseudonymizes it on the calls (the caller becomes blank, as for a withheld
number, and ``caller_erased`` is set), unlinks their recordings and deletes the contact with
its notes. The call rows stay, with every instant and second: KPIs, rollups and invoices
read the same numbers as before. Each erasure leaves an ``ErasureRecord`` that names who,
when, where and how much, never the number (docs/privacy.md).
"""

import calendar
import datetime as dt
from dataclasses import asdict, astuple, dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext

from calls.models import Call, Contact, ErasureRecord
from contactcenter.errors import DomainError
from projects.api.scoping import MANAGER, visible_projects

DIGEST_SALT = "calls.erasure.phone"
RETENTION_BATCH = 10_000  # calls per transaction of the retention job
MAX_RETENTION_MONTHS = 1200


@dataclass(frozen=True)
class ErasureResult:
    """What an erasure changed (or, for a dry run, would change)."""

    calls_pseudonymized: int = 0
    contacts_deleted: int = 0
    recordings_unlinked: int = 0

    def __add__(self, other: "ErasureResult") -> "ErasureResult":
        return ErasureResult(
            *(mine + theirs for mine, theirs in zip(astuple(self), astuple(other), strict=True))
        )

    def as_dict(self) -> dict:
        return asdict(self)


def phone_digest(e164: str) -> str:
    """HMAC-SHA256 of the number under the site's secret key: recognises a repeated request,
    and cannot be reversed, or tested against a list of numbers, without that key."""
    return salted_hmac(DIGEST_SALT, e164, algorithm="sha256").hexdigest()


def _pseudonymize(calls: QuerySet) -> tuple[int, int]:
    """Blank the caller, the contact link and the recording of ``calls``: (calls, recordings).

    Two UPDATEs, so the recordings are counted exactly without reading the rows first: the
    calls with a recording, then the rest (the first ones are erased by then)."""
    erased = {
        "caller": "",
        "caller_raw": "",
        "caller_erased": True,
        "contact": None,
        "recording_url": "",
    }
    pending = calls.filter(caller_erased=False)
    recordings = pending.exclude(recording_url="").update(**erased)
    return recordings + pending.update(**erased), recordings


@transaction.atomic
def callers_erase(*, phone: str, projects: QuerySet | None, actor) -> ErasureResult:
    """Erase the E.164 ``phone`` from the calls and contacts of ``projects`` (``None``: all).

    One transaction. Running it again changes nothing and answers zeros."""
    calls = Call.objects.filter(caller=phone)
    contacts = Contact.objects.filter(phone=phone)
    if projects is not None:
        calls = calls.filter(project__in=projects)
        contacts = contacts.filter(project__in=projects)
    pseudonymized, recordings = _pseudonymize(calls)
    # The notes are a field of the contact: they go with it. Its calls are unlinked above.
    _, deleted = contacts.delete()
    result = ErasureResult(
        calls_pseudonymized=pseudonymized,
        contacts_deleted=deleted.get(Contact._meta.label, 0),
        recordings_unlinked=recordings,
    )
    ErasureRecord.objects.create(
        actor=actor,
        actor_name=actor.get_username() if actor else "",
        reason=ErasureRecord.Reason.REQUEST,
        all_projects=projects is None,
        project_codes=[] if projects is None else sorted(projects.values_list("code", flat=True)),
        phone_digest=phone_digest(phone),
        **result.as_dict(),
    )
    return result


# --- Retention -----------------------------------------------------------------------------


def months_before(instant: dt.datetime, months: int) -> dt.datetime:
    """The same day and time ``months`` calendar months earlier (the 31st: the month's last)."""
    index = instant.year * 12 + instant.month - 1 - months
    year, month = divmod(index, 12)
    day = min(instant.day, calendar.monthrange(year, month + 1)[1])
    return instant.replace(year=year, month=month + 1, day=day)


def retention_months(months: int | None = None) -> int:
    """``months``, else ``settings.CALLER_RETENTION_MONTHS``; 0 means "keep everything"."""
    value = getattr(settings, "CALLER_RETENTION_MONTHS", 0) if months is None else months
    value = value or 0
    if not isinstance(value, int) or not 0 <= value <= MAX_RETENTION_MONTHS:
        raise DomainError(
            gettext(
                "The retention is a whole number of months from 1 to %(max)s (0: keep everything)."
            )
            % {"max": MAX_RETENTION_MONTHS},
            details={"months": [gettext("Got %(value)s.") % {"value": repr(value)}]},
        )
    return value


def _retained(cutoff: dt.datetime) -> QuerySet:
    """Calls offered before ``cutoff`` that still hold a number (or the raw caller id) or a
    recording, among those the last completed run may have left: offered since its cutoff,
    or received since it started (a late call; with the rollups' allowance for late
    commits). The first run reads the whole history; the next ones read a day's worth of
    calls through the offered_at and received_at indexes, not the erased history again."""
    retained = Call.objects.filter(offered_at__lt=cutoff, caller_erased=False).filter(
        ~Q(caller="") | ~Q(caller_raw="") | ~Q(recording_url="")
    )
    last = (
        ErasureRecord.objects.filter(reason=ErasureRecord.Reason.RETENTION)
        .order_by("-at")
        .values_list("at", "cutoff")
        .first()
    )
    if last is None:
        return retained
    started, previous_cutoff = last
    settle = dt.timedelta(seconds=getattr(settings, "KPI_ROLLUP_LATE_COMMIT_SECONDS", 600))
    return retained.filter(
        Q(offered_at__gte=previous_cutoff) | Q(received_at__gte=started - settle)
    )


def callers_erase_older_than(
    *, months: int, now: dt.datetime | None = None, dry_run: bool = False
) -> tuple[ErasureResult, dt.datetime]:
    """Pseudonymize the callers of every call offered more than ``months`` months before
    ``now`` and delete the contacts left without a call; returns (result, cutoff).

    In batches of ``RETENTION_BATCH`` calls in offered order, each its own transaction, so
    the first run on a large table holds no long lock; a stopped run is taken up by the
    next. A contact that still has a newer call stays (that caller is current). Every
    completed run writes an ``ErasureRecord`` (its start and cutoff bound the next run's
    reading, see ``_retained``), zeros included: the proof that retention runs."""
    started = timezone.now()
    cutoff = months_before(now or started, months)
    if dry_run:
        old = _retained(cutoff)
        newer = Call.objects.filter(contact__isnull=False).exclude(pk__in=old.values("pk"))
        contacts = Contact.objects.filter(pk__in=old.values("contact_id")).exclude(
            pk__in=newer.values("contact_id")
        )
        return ErasureResult(
            calls_pseudonymized=old.count(),
            contacts_deleted=contacts.count(),
            recordings_unlinked=old.exclude(recording_url="").count(),
        ), cutoff
    total, floor = ErasureResult(), None
    while True:
        with transaction.atomic():
            candidates = _retained(cutoff)
            if floor is not None:  # keyset: the batches before are erased, skip their span
                candidates = candidates.filter(offered_at__gte=floor)
            batch = list(
                candidates.order_by("offered_at", "id")
                .select_for_update()
                .values_list("pk", "contact_id", "offered_at")[:RETENTION_BATCH]
            )
            if not batch:
                break
            calls, recordings = _pseudonymize(Call.objects.filter(pk__in=[row[0] for row in batch]))
            touched = {row[1] for row in batch if row[1] is not None}
            _, deleted = Contact.objects.filter(pk__in=touched, calls__isnull=True).delete()
            total += ErasureResult(calls, deleted.get(Contact._meta.label, 0), recordings)
            floor = batch[-1][2]
    ErasureRecord.objects.create(
        at=started,
        reason=ErasureRecord.Reason.RETENTION,
        all_projects=True,
        cutoff=cutoff,
        **total.as_dict(),
    )
    return total, cutoff


def projects_for_erasure(user) -> QuerySet | None:
    """The projects whose callers ``user`` may erase: ``None`` for all (superusers); an
    integration's client's projects; a manager's own projects."""
    if user.is_superuser:
        return None
    return visible_projects(user, MANAGER)
