"""Russian and English: every catalogue complete, no untranslated project string on an admin
page in Russian, API errors in the request's language, local days and times (docs/i18n.md).

The untranslated-string scan runs per app. An app whose strings are not translated yet is
marked xfail (strict=False) in NOT_YET_TRANSLATED; translating it means: mark its strings,
``makemessages -l ru`` in its folder, fill its .po, and remove it from that set.
"""

import datetime as dt
import html
import re

import pytest
from django.contrib import admin
from django.urls import reverse

from calls.models import Call
from contactcenter.catalogues import catalogue_paths, read_catalogue
from tests.factories import (
    BusinessHoursFactory,
    CallFactory,
    ClientFactory,
    ProjectFactory,
    UserFactory,
    VatRateFactory,
)

# TODO(issue 16, second step): each helper translating an app removes it from here.
NOT_YET_TRANSLATED: set[str] = set()
# Apps whose admin pages the scan renders: every project app with models in the admin,
# plus the report pages below.
REPORT_PAGES = {
    "dashboard": ["kpi_dashboard"],
    "workforce": [
        "erlang_calculator",
        "insourcing_calculator",
        "pooling_gain",
        "simulation_what_if",
        "people_report",
        "adherence_report",
        "intraday_report",
        "schedule_builder",
    ],
    "wallboard": ["wallboard"],
}
# English words of the project's templates that no catalogue holds yet, per app.
KNOWN_ENGLISH = {"contactcenter": ["Reports"]}
# Codes shown as data, not text: the seeded break reason whose code is "break" lists its code
# beside its Russian name, and "break" is also an English msgid (an activity kind).
DATA_CODES = {"agents": {"break"}}
RU = {"HTTP_ACCEPT_LANGUAGE": "ru"}


def _project_apps():
    apps = {model._meta.app_label for model in admin.site._registry}
    local = {app for app in apps if (catalogue_paths().get(app) or app in NOT_YET_TRANSLATED)}
    return sorted(local | set(REPORT_PAGES) | {"contactcenter"})


def _param(app):
    if app in NOT_YET_TRANSLATED:
        reason = f"TODO(issue 16): {app} is not translated yet; remove it from NOT_YET_TRANSLATED"
        return pytest.param(app, marks=pytest.mark.xfail(strict=False, reason=reason))
    return app


# --- (a) The catalogues ---------------------------------------------------------------


@pytest.mark.parametrize("app", sorted(catalogue_paths()))
def test_every_message_of_the_catalogue_has_a_russian_translation(app):
    entries = read_catalogue(catalogue_paths()[app])

    untranslated = [entry.msgid for entry in entries if not entry.translated]

    assert entries, f"{app}'s catalogue is empty"
    assert untranslated == []


def test_the_translated_apps_have_catalogues():
    assert {"contactcenter", "projects", "dashboard"} <= set(catalogue_paths())


# --- (b) No untranslated project string on a Russian admin page --------------------------


def _english_strings(app):
    """The project's English source strings a Russian page must not show: every msgid of
    every catalogue whose Russian differs, without placeholders, as written and capitalised."""
    found = set(KNOWN_ENGLISH.get(app, []))
    for path in catalogue_paths().values():
        for entry in read_catalogue(path):
            text = entry.msgid
            if "%" in text or "{" in text or entry.context or entry.msgstr.get(0) == text:
                continue
            found.update({text, text[:1].upper() + text[1:]})
    return found - DATA_CODES.get(app, set())


def _visible_text(body):
    """The page's text; the modules of apps not translated yet (the index's and the
    sidebar's app lists) left out, so each app answers for its own strings only."""
    for label in NOT_YET_TRANSLATED:
        body = re.sub(rf'(?s)<div class="app-{label} module[^"]*">.*?</div>', " ", body)
    body = re.sub(r"(?is)<(script|style|title)\b.*?</\1>", " ", body)
    body = re.sub(r"(?s)<[^>]+>", " ", body)
    return " ".join(html.unescape(body).split())


def _pages(app):
    urls = []
    for model in admin.site._registry:
        if model._meta.app_label != app:
            continue
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        urls.append(reverse("admin:{}_{}_add".format(*info)))
        first = model._default_manager.first()
        if first is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
    urls.extend(reverse(name) for name in REPORT_PAGES.get(app, []))
    if app == "contactcenter":
        urls.append(reverse("admin:index"))
    return urls


@pytest.fixture
def world(db):
    client = ClientFactory(code="acme", legal_name="ООО Акме")
    VatRateFactory(client=client)
    hotline = ProjectFactory(code="hotline", name="Горячая линия", client=client)
    BusinessHoursFactory(project=hotline)
    call = CallFactory(project=hotline, external_id="c-1", operator__full_name="Петрова Ольга")
    _qa_rows(call)
    _agents_rows(call)
    _billing_rows(hotline)
    return hotline


def _billing_rows(project):
    """A tariff with a night band, an issued invoice paid beyond its total (a payment, a
    credit) and a failed delivery: billing's change pages."""
    from decimal import Decimal

    from billing.frozen import invoice_snapshot
    from billing.models import Delivery, Invoice
    from billing.payments import payment_record
    from tests.factories import InvoiceFactory, InvoiceLineFactory
    from tests.factories.billing import tariff

    tariff(project, bands=[("night", [0, 1, 2, 3, 4, 5, 6], "22:00", "08:00", "2.0000")])
    period = dt.date(2026, 10, 1)
    invoice = InvoiceFactory(client=project.client, period=period, vat_rate=Decimal("0"))
    InvoiceLineFactory(
        invoice=invoice,
        project=project,
        service_period=period,
        description="Минуты разговора",
        amount=Decimal("1000.00"),
    )
    invoice.refresh_from_db()
    Invoice.objects.filter(pk=invoice.pk).update(
        status="issued",
        number="INV-2026-000001",
        issued_at=dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC),
        snapshot=invoice_snapshot(invoice),
    )
    invoice.refresh_from_db()
    payment_record(
        invoice=invoice, amount=Decimal("1200.00"), paid_on=dt.date(2026, 11, 2), user=None
    )
    Delivery.objects.create(
        invoice=invoice, recipient="buh@acme.example", status="failed", attempts=3
    )


def _qa_rows(call):
    """A disputed evaluation with an answer, and its QA sample: quality's change pages."""
    from tests.factories.quality import (
        AnswerFactory,
        CriterionFactory,
        DisputeFactory,
        EvaluationFactory,
        QaSampleFactory,
        ScorecardFactory,
    )

    scorecard = ScorecardFactory(project=call.project, name="Скрипт")
    evaluation = EvaluationFactory(
        call=call,
        scorecard=scorecard,
        status="disputed",
        score=80,
        submitted_at=call.ended_at,
    )
    AnswerFactory(
        evaluation=evaluation, criterion=CriterionFactory(scorecard=scorecard, name="Приветствие")
    )
    DisputeFactory(evaluation=evaluation, reason="Клиент сам попросил пропустить приветствие.")
    QaSampleFactory(call=call, evaluation=evaluation)


def _agents_rows(call):
    """A shift with its lunch, an absence over it with a spare to cover it, a break event,
    a shift template, a course with an enrolment and a status change: agents' pages."""
    from agents.models import AgentStateEvent, BreakReason, ShiftActivity, ShiftTemplate
    from tests.factories import (
        T0,
        AbsenceFactory,
        AgentStateEventFactory,
        CertificationFactory,
        OperatorFactory,
        ShiftFactory,
    )
    from tests.factories.people import OperatorStatusChangeFactory, TrainingEnrolmentFactory

    absent, project = call.operator, call.project
    CertificationFactory(operator=absent, project=project)
    spare = OperatorFactory(code="spare", full_name="Смирнов Иван")
    CertificationFactory(operator=spare, project=project)
    shift = ShiftFactory(operator=absent, project=project, starts_at=T0)
    ShiftActivity.objects.create(
        shift=shift,
        kind="lunch",
        starts_at=T0 + dt.timedelta(hours=4),
        ends_at=T0 + dt.timedelta(hours=5),
    )
    AbsenceFactory(operator=absent)
    BreakReason.objects.update_or_create(code="lunch", defaults={"name": "Обед"})
    AgentStateEventFactory(operator=absent, state=AgentStateEvent.State.BREAK, reason="lunch")
    ShiftTemplate.objects.create(name="Утро", start_time=dt.time(6), duration_minutes=480)
    TrainingEnrolmentFactory(
        operator__full_name="Кузнецова Анна", program__project=project, program__name="Вводный курс"
    )
    OperatorStatusChangeFactory(operator=absent)


@pytest.mark.parametrize("app", [_param(app) for app in _project_apps()])
def test_a_russian_admin_page_shows_no_english_project_string(client, world, app):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    client.cookies["django_language"] = "ru"
    english = _english_strings(app)
    leaks = {}
    for url in _pages(app):
        response = client.get(url)
        if response.status_code != 200:
            continue
        text = _visible_text(response.content.decode())
        shown = sorted(s for s in english if re.search(rf"(?<!\w){re.escape(s)}(?!\w)", text))
        if shown:
            leaks[url] = shown

    assert leaks == {}


def test_the_language_switch_sticks(client, world):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    switched = client.post(reverse("set_language"), {"language": "ru", "next": "/admin/"})
    index = client.get(reverse("admin:index"))

    assert switched.status_code == 302
    assert switched.cookies["django_language"].value == "ru"
    assert 'id="language-switch"' in index.content.decode()
    assert "Отчёты" in index.content.decode()  # "Reports"
    assert "Операции контакт-центра" in index.content.decode()


# --- API errors follow Accept-Language; codes and field names stay English ---------------


def test_a_bad_call_row_is_refused_in_the_language_of_the_request(admin_api, world):
    row = {"project": "hotline", "external_id": "x-1", "offered_at": "2026-10-05T09:00:00Z"}

    russian = admin_api.post("/api/v1/calls/", row, HTTP_ACCEPT_LANGUAGE="ru")
    english = admin_api.post("/api/v1/calls/", row, HTTP_ACCEPT_LANGUAGE="en")

    assert russian.status_code == english.status_code == 400
    assert russian.json() == {
        "detail": "Неверных строк: 1 из 1; ничего не сохранено.",
        "code": "invalid",
        "errors": {"ended_at": ["Обязательное поле."]},
    }
    assert english.json()["errors"] == {"ended_at": ["This field is required."]}
    assert english.json()["detail"] == "1 of 1 rows are invalid; nothing was stored."
    assert Call.objects.filter(external_id="x-1").count() == 0


# --- Numbers -------------------------------------------------------------------------------


def test_money_and_percent_read_russian_in_russian():
    from decimal import Decimal

    from django.utils import translation

    from contactcenter.templatetags.readable_numbers import money, percent

    with translation.override("ru"):
        assert money(Decimal("1006633.32")) == "1\xa0006\xa0633,32\xa0₽"
        assert percent(Decimal("0.859")) == "85,9\xa0%"
    with translation.override("en"):
        assert money(Decimal("1006633.32")) == "1,006,633.32\xa0₽"
        assert percent(Decimal("0.859")) == "85.9%"


# --- Local days and times ------------------------------------------------------------------


def test_a_call_at_2230_utc_is_listed_on_the_next_local_day_in_moscow(client, world):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    late = CallFactory(
        project=world,
        external_id="late-1",
        offered_at=dt.datetime(2026, 11, 17, 22, 30, tzinfo=dt.UTC),
        ended_at=dt.datetime(2026, 11, 17, 22, 31, tzinfo=dt.UTC),
    )
    url = reverse("admin:calls_call_changelist")
    day = {"project__id__exact": world.pk, "offered_at__year": 2026, "offered_at__month": 11}

    on_18th = client.get(url, {**day, "offered_at__day": 18})
    on_17th = client.get(url, {**day, "offered_at__day": 17})

    assert [c.pk for c in on_18th.context["cl"].result_list] == [late.pk]
    assert [c.pk for c in on_17th.context["cl"].result_list] == []
    body = on_18th.content.decode()
    assert '<td class="field-offered_local">2026-11-18 01:30:00 MSK</td>' in body
    client.cookies["django_language"] = "ru"
    russian = client.get(url, {**day, "offered_at__day": 18}).content.decode()
    assert '<td class="field-offered_local">18.11.2026 01:30:00 MSK</td>' in russian


# --- Phone search as people type -----------------------------------------------------------


@pytest.mark.parametrize("typed", ["8 (901) 000-57-52", "89010005752", "+7 901 000 57 52"])
def test_a_phone_number_typed_as_people_type_finds_the_call(client, world, typed):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    wanted = CallFactory(project=world, external_id="ph-1", caller="+79010005752")
    CallFactory(project=world, external_id="ph-2", caller="+79010005753")

    found = client.get(reverse("admin:calls_call_changelist"), {"q": typed})

    assert [c.pk for c in found.context["cl"].result_list] == [wanted.pk]
