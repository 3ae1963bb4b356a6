"""A small but believable demo: clients in four time zones, a shared pool, a few days of calls.

It lives in billing because billing is the top layer and may use every app. The data is
deterministic for a given seed and day, and loading it again adds nothing twice.
"""

import datetime as dt
import math
import random
import zoneinfo
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from rest_framework.authtoken.models import Token

from agents.models import AgentStateEvent, Certification, Operator
from billing.models import Tariff, TariffBand
from calls.contacts import contacts_link_calls
from calls.models import Call
from projects.models import BusinessHours, Client, IntegrationAccount, Project, VatRate
from projects.roles import PROJECT_MANAGERS, roles_setup

UTC = dt.UTC

CLIENTS = [
    # code, legal name, INN, KPP, VAT included, address
    (
        "volga-bank",
        "ПАО «Волга Банк»",
        "7701234567",
        "770101001",
        False,
        "125009, г. Москва, ул. Тверская, д. 7",
    ),
    (
        "sib-telecom",
        "ООО «СибТелеком»",
        "5405123456",
        "540501001",
        False,
        "630099, г. Новосибирск, Красный проспект, д. 25",
    ),
    (
        "baltic-retail",
        "АО «Балтик Ритейл»",
        "3906123456",
        "390601001",
        True,
        "236022, г. Калининград, Ленинский проспект, д. 30",
    ),
    (
        "dv-avia",
        "ООО «ДВ Авиа»",
        "2540123456",
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
]

FIRST_NAMES = [
    "Анна",
    "Мария",
    "Елена",
    "Ольга",
    "Ирина",
    "Дмитрий",
    "Алексей",
    "Сергей",
    "Наталья",
    "Татьяна",
    "Павел",
    "Юлия",
    "Андрей",
    "Екатерина",
    "Максим",
]
LAST_NAMES = [
    "Иванова",
    "Смирнова",
    "Кузнецова",
    "Попова",
    "Соколова",
    "Лебедев",
    "Козлов",
    "Новиков",
    "Морозова",
    "Волкова",
    "Петров",
    "Зайцева",
    "Павлов",
    "Орлова",
    "Фёдоров",
]

POOL_SIZE = 36
DEMO_PASSWORD_ENV = "DEMO_ADMIN_PASSWORD"  # noqa: S105 - the variable name, not a secret


def _poisson(rng, mean):
    """Knuth's method; means here are small (calls per hour per project)."""
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


@transaction.atomic
def demo_catalogue():
    """Clients, projects, VAT rates, tariffs, operators and certifications (idempotent)."""
    clients = {}
    for code, legal_name, inn, kpp, vat_included, address in CLIENTS:
        client, _ = Client.objects.update_or_create(
            code=code,
            defaults={
                "legal_name": legal_name,
                "tax_id": inn,
                "kpp": kpp,
                "address": address,
                "vat_included": vat_included,
                "billing_email": f"billing@{code}.example",
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

    rng = random.Random(7)
    project_codes = list(projects)
    operators = []
    for number in range(1, POOL_SIZE + 1):
        operator, _ = Operator.objects.update_or_create(
            code=f"op{number:03d}",
            defaults={
                "full_name": f"{rng.choice(LAST_NAMES)} {rng.choice(FIRST_NAMES)}",
                "status": Operator.Status.ACTIVE,
                "hired_on": dt.date(2024, 1, 15) + dt.timedelta(days=number * 11),
                "hourly_cost": Decimal("420.00") + Decimal(number % 5) * 20,
            },
        )
        operators.append(operator)
        for code in rng.sample(project_codes, rng.randint(2, 4)):
            Certification.objects.get_or_create(
                operator=operator,
                project=projects[code],
                defaults={
                    "level": rng.randint(1, 3),
                    "certified_on": operator.hired_on + dt.timedelta(days=21),
                },
            )
    return clients, projects, operators


def demo_calls(*, projects, operators, days, seed=1, today=None):
    """Calls of the ``days`` full UTC days before ``today``; returns how many were new."""
    today = today or dt.datetime.now(UTC).date()
    rng = random.Random(seed)
    certified = {code: [] for code in projects}
    for cert in Certification.objects.select_related("operator", "project"):
        if cert.project.code in certified:
            certified[cert.project.code].append(cert.operator_id)

    rows = []
    start_day = today - dt.timedelta(days=days)
    for spec in PROJECTS:
        code, _name, _client, tz_name, _mode, profile, aht = spec[:7]
        project, tz = projects[code], zoneinfo.ZoneInfo(tz_name)
        for hour in range(days * 24):
            hour_start = dt.datetime.combine(start_day, dt.time(), UTC) + dt.timedelta(hours=hour)
            local = hour_start.astimezone(tz)
            if (
                _mode == Project.ServiceMode.RESERVE
                and local.weekday() < 5
                and 9 <= local.hour < 21
            ):
                continue  # the client's own team answers in its business hours
            local_hour = local.hour
            for n in range(_poisson(rng, profile[local_hour] * 2.5)):
                rows.append(_demo_call(rng, project, hour_start, n, aht, certified[code]))
    before = Call.objects.count()
    Call.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    created = Call.objects.count() - before
    for project in projects.values():
        contacts_link_calls(project_id=project.id)
    _demo_agent_states(operators, start_day, days)
    return created


def _demo_call(rng, project, hour_start, n, aht, operator_ids):
    offered = hour_start + dt.timedelta(seconds=rng.uniform(0, 3600))
    patience = rng.expovariate(1 / 90)
    wait = rng.expovariate(1 / 14)
    answered = wait <= patience and operator_ids
    talk = max(8.0, rng.lognormvariate(math.log(aht) - 0.18, 0.6))
    caller = f"+79{rng.randint(10**8, 10**9 - 1)}"
    base = {
        "project": project,
        "external_id": f"demo-{offered:%Y%m%d%H}-{n:04d}",
        "caller": caller if rng.random() > 0.03 else "",
        "offered_at": offered,
    }
    if not answered:
        return Call(**base, ended_at=offered + dt.timedelta(seconds=patience))
    answered_at = offered + dt.timedelta(seconds=wait)
    hold = rng.choice([0, 0, 0, 0, 15, 30, 45])
    return Call(
        **base,
        operator_id=rng.choice(operator_ids),
        answered_at=answered_at,
        ended_at=answered_at + dt.timedelta(seconds=talk + hold),
        hold_seconds=hold,
        wrap_seconds=rng.randint(5, 40),
        disposition=rng.choice(["resolved", "resolved", "resolved", "callback", "escalated"]),
    )


def _demo_agent_states(operators, start_day, days):
    """Staggered 9-hour shifts over the clock: ready, a lunch break, ready, offline."""
    events = []
    for index, operator in enumerate(operators):
        for day in range(days):
            start = dt.datetime.combine(start_day + dt.timedelta(days=day), dt.time(), UTC)
            start += dt.timedelta(hours=(index * 2) % 24)
            events += [
                AgentStateEvent(operator=operator, state="ready", at=start),
                AgentStateEvent(
                    operator=operator,
                    state="break",
                    reason="lunch",
                    at=start + dt.timedelta(hours=4),
                ),
                AgentStateEvent(
                    operator=operator, state="ready", at=start + dt.timedelta(hours=4, minutes=45)
                ),
                AgentStateEvent(
                    operator=operator, state="offline", at=start + dt.timedelta(hours=9)
                ),
            ]
    AgentStateEvent.objects.bulk_create(events, ignore_conflicts=True)


def demo_users(*, projects, password):
    """A superuser, a project manager and an integration user, each with an API token."""
    User = get_user_model()
    admin, _ = User.objects.get_or_create(
        username="admin",
        defaults={"is_staff": True, "is_superuser": True, "email": "admin@contactcenter.local"},
    )
    admin.set_password(password)
    admin.save()
    pm, _ = User.objects.get_or_create(
        username="pm", defaults={"is_staff": True, "first_name": "Ольга"}
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
    return {
        user.username: Token.objects.get_or_create(user=user)[0].key for user in (admin, pm, bot)
    }
