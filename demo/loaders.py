"""The demo: clients in four time zones, a shared pool and a month of simulated calls.

It lives in billing because billing is the top layer and may use every app. The catalogue
(clients, VAT rates, projects, tariffs) and the users are set here; operators, their
certifications, shifts, sick days, calls and agent events come from the simulator running
``scenarios/demo_month.json`` (docs/simulation.md) over the last full month, stored through
the ingestion services, then rolled up so the dashboard shows it at once. Deterministic
for a seed and a month; loading it again adds nothing twice.
"""

import calendar
import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction

from agents.models import Operator
from billing.models import Tariff, TariffBand
from calls.rollups import rollup_kpis
from contactcenter.tokens import reissue as reissue_token
from demo.contracts import demo_absence, demo_contracts, demo_operator_login
from demo.names import full_name
from demo.people import demo_people
from projects.models import BusinessHours, Client, IntegrationAccount, Project, Seller, VatRate
from projects.roles import PROJECT_MANAGERS, roles_setup
from workforce.simulation.engine import simulate, summarise
from workforce.simulation.load import simulation_store
from workforce.simulation.scenario import scenario_load

UTC = dt.UTC

CLIENTS = [
    # code, legal name, INN, KPP, VAT included, address
    (
        "volga-bank",
        "ПАО «Волга Банк»",
        "7701234560",
        "770101001",
        False,
        "125009, г. Москва, ул. Тверская, д. 7",
    ),
    (
        "sib-telecom",
        "ООО «СибТелеком»",
        "5405123458",
        "540501001",
        False,
        "630099, г. Новосибирск, Красный проспект, д. 25",
    ),
    (
        "baltic-retail",
        "АО «Балтик Ритейл»",
        "3906123455",
        "390601001",
        True,
        "236022, г. Калининград, Ленинский проспект, д. 30",
    ),
    (
        "vostok-express",
        "ООО «Восток Экспресс»",
        "2536123456",
        "253601001",
        False,
        "690001, г. Владивосток, ул. Алеутская, д. 45",
    ),
    (
        "dv-avia",
        "ООО «ДВ Авиа»",
        "2540123459",
        "254001001",
        False,
        "690091, г. Владивосток, ул. Светланская, д. 11",
    ),
]

# Calls per local hour, 0..23: each project peaks at its own local hours.
OFFICE_DAY = [1, 1, 0, 0, 0, 1, 2, 6, 14, 22, 26, 26, 22, 20, 22, 21, 18, 14, 10, 7, 5, 4, 3, 2]
EVENING = [2, 1, 1, 0, 0, 0, 1, 2, 4, 6, 8, 9, 10, 10, 11, 12, 16, 22, 26, 24, 16, 9, 5, 3]
NIGHT = [14, 12, 10, 8, 7, 6, 6, 5, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 4, 16, 18, 16]

PROJECTS = [
    # code, name, client, timezone, mode, hourly profile, AHT seconds, rate, night band rate
    (
        "volga-hotline",
        "Горячая линия Волга Банка",
        "volga-bank",
        "Europe/Moscow",
        "full",
        OFFICE_DAY,
        210,
        "14.5000",
        "17.4000",
    ),
    (
        "volga-night",
        "Ночной резерв Волга Банка",
        "volga-bank",
        "Europe/Moscow",
        "reserve",
        NIGHT,
        240,
        "16.0000",
        None,
    ),
    (
        "sib-support",
        "Техподдержка СибТелеком",
        "sib-telecom",
        "Asia/Novosibirsk",
        "full",
        OFFICE_DAY,
        300,
        "12.0000",
        "15.0000",
    ),
    (
        "baltic-sales",
        "Продажи Балтик Ритейл",
        "baltic-retail",
        "Europe/Kaliningrad",
        "full",
        EVENING,
        180,
        "13.2000",
        None,
    ),
    (
        "dv-booking",
        "Бронирование ДВ Авиа",
        "dv-avia",
        "Asia/Vladivostok",
        "full",
        OFFICE_DAY,
        240,
        "15.5000",
        "18.6000",
    ),
    (
        "vostok-delivery",
        "Доставка Восток Экспресс",
        "vostok-express",
        "Asia/Vladivostok",
        "full",
        OFFICE_DAY,
        150,
        "11.8000",
        None,
    ),
]

DEMO_PASSWORD_ENV = "DEMO_ADMIN_PASSWORD"  # noqa: S105 - the variable name, not a secret


DEMO_SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "demo_month.json"


def demo_seller() -> Seller:
    """The seller "main" (projects/migrations/0005 creates it from the SELLER_* settings;
    the demo makes it again from the same defaults if it is missing)."""
    names = {
        "name": "SELLER_NAME",
        "inn": "SELLER_INN",
        "kpp": "SELLER_KPP",
        "ogrn": "SELLER_OGRN",
        "address": "SELLER_ADDRESS",
        "bank": "SELLER_BANK",
        "bik": "SELLER_BIK",
        "account": "SELLER_ACCOUNT",
        "correspondent_account": "SELLER_CORRESPONDENT_ACCOUNT",
        "director": "SELLER_DIRECTOR",
        "chief_accountant": "SELLER_ACCOUNTANT",
    }
    defaults = {key: str(getattr(settings, name, "")) for key, name in names.items()}
    return Seller.objects.get_or_create(code="main", defaults=defaults)[0]


@transaction.atomic
def demo_catalogue():
    """Clients, VAT rates, projects and tariffs (idempotent); operators come from the scenario."""
    clients = {}
    seller = demo_seller()
    for number, (code, legal_name, inn, kpp, vat_included, address) in enumerate(CLIENTS, 1):
        client, _ = Client.objects.update_or_create(
            code=code,
            defaults={
                "legal_name": legal_name,
                "tax_id": inn,
                "kpp": kpp,
                "address": address,
                "vat_included": vat_included,
                "billing_email": f"billing@{code}.example",
                "seller": seller,
                "contract_number": f"КЦ-{number:03d}/2025",
                "contract_date": dt.date(2025, 12, 1),
            },
        )
        # Russian VAT went from 20% to 22% on 2026-01-01: rates are data, effective-dated.
        VatRate.objects.get_or_create(
            client=client, valid_from=dt.date(2019, 1, 1), defaults={"rate": Decimal("0.2000")}
        )
        VatRate.objects.get_or_create(
            client=client, valid_from=dt.date(2026, 1, 1), defaults={"rate": Decimal("0.2200")}
        )
        clients[code] = client

    projects = {}
    for code, name, client, tz, mode, _profile, _aht, rate, night_rate in PROJECTS:
        project, _ = Project.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "client": clients[client],
                "timezone": tz,
                "service_mode": mode,
            },
        )
        projects[code] = project
        if mode == Project.ServiceMode.RESERVE:
            for weekday in range(5):  # the client's own team answers Mon-Fri 09:00-21:00
                BusinessHours.objects.get_or_create(
                    project=project,
                    weekday=weekday,
                    opens=dt.time(9),
                    defaults={"closes": dt.time(21)},
                )
        tariff, created = Tariff.objects.get_or_create(
            project=project,
            valid_from=dt.date(2026, 1, 1),
            defaults={
                "rate_per_minute": Decimal(rate),
                "first_increment_seconds": 30,
                "next_increment_seconds": 6,
                "free_seconds": 5,
                "monthly_minimum": Decimal("50000.00"),
            },
        )
        if created and night_rate:
            TariffBand.objects.create(
                tariff=tariff,
                position=0,
                name="night",
                weekdays=list(range(7)),
                start=dt.time(22),
                end=dt.time(8),
                rate_per_minute=Decimal(night_rate),
            )

    return clients, projects


def demo_period(*, today=None, days=None):
    """``(first day, days)``: the last full calendar month before ``today`` (UTC), or with
    ``days`` the ``days`` full days before it."""
    today = today or dt.datetime.now(dt.UTC).date()
    if days is not None:
        return today - dt.timedelta(days=days), days
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    first = last_month_end.replace(day=1)
    return first, calendar.monthrange(first.year, first.month)[1]


def demo_simulate(*, days=None, seed=None, today=None, scenario_path=DEMO_SCENARIO):
    """Simulate the demo scenario over ``demo_period``, store it through ingestion, name
    the operators and fill the KPI rollups. Returns ``(summary, LoadResult, rollup result)``."""
    scenario = scenario_load(scenario_path)
    start, days = demo_period(today=today, days=days)
    scenario = scenario.with_days(days, start=start)
    if seed is not None:
        scenario = scenario.__class__(**{**scenario.__dict__, "seed": seed})
    result = simulate(scenario)
    loaded = simulation_store(result)
    _name_operators(result.operator_codes)
    # A month of calls arrived at once: fresh statistics, or the planner takes the calls
    # table for empty (the QA sample's anti-join ran 40x slower on stale ones).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE calls_call, calls_contact, agents_agentstateevent")
    return summarise(result), loaded, rollup_kpis()


def _name_operators(codes):
    """Believable names for the operators the simulator created as "Operator <code>"."""
    rng = random.Random(7)
    names = {code: full_name(rng) for code in codes}
    for operator in Operator.objects.filter(code__in=codes, full_name__startswith="Operator "):
        operator.full_name = names[operator.code]
        operator.hourly_cost = Decimal("420.00") + Decimal(sum(map(ord, operator.code)) % 5) * 20
        operator.save(update_fields=["full_name", "hourly_cost", "updated_at"])


def demo_users(*, projects, password):
    """A superuser, a project manager and an integration user, each with an API token; then
    the people and quality part of the demo, with its QA evaluator, trainer and team lead."""
    User = get_user_model()
    admin, _ = User.objects.get_or_create(
        username="admin",
        defaults={"is_staff": True, "is_superuser": True, "email": "admin@contactcenter.local"},
    )
    admin.set_password(password)
    admin.save()
    # An address, so the project's alerts reach her (console e-mail in development).
    pm, _ = User.objects.get_or_create(
        username="pm",
        defaults={"is_staff": True, "first_name": "Ольга", "email": "pm@contactcenter.local"},
    )
    pm.set_password(password)
    pm.save()
    roles_setup()
    pm.groups.add(Group.objects.get(name=PROJECT_MANAGERS))
    for code in ("volga-hotline", "volga-night"):
        projects[code].managers.add(pm)
    bot, _ = User.objects.get_or_create(username="volga-crm")
    IntegrationAccount.objects.get_or_create(
        user=bot, defaults={"client": projects["volga-hotline"].client}
    )
    tokens = {user.username: reissue_token(user, name="demo") for user in (admin, pm, bot)}
    # QA evaluator, trainer and team lead; scorecards, sampled and scored calls, training,
    # hires and leavers over the stored month (billing/demo_people.py).
    tokens |= demo_people(projects=projects, password=password)
    # Contracts, an absence with replacements offered, the operator's login (demo.contracts).
    demo_contracts()
    absence = demo_absence()
    demo_operator_login(password=password, absent=absence.operator if absence else None)
    return tokens
