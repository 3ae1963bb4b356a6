"""The database itself refuses clients, VAT rates, projects and business hours that break the rules.

Rows are written through the ORM (``create``, ``queryset.update``), which never calls
``full_clean``: what is refused here is refused by PostgreSQL, whichever code path writes.
Each refused statement runs in its own savepoint so the test can go on.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from projects.models import BusinessHours, Client, Project, VatRate
from tests.constraints import assert_refused_on_insert_and_update, assert_saved_as_given
from tests.factories import (
    BusinessHoursFactory,
    ClientFactory,
    IntegrationAccountFactory,
    ProjectFactory,
    SellerFactory,
    VatRateFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "factory",
    [
        ClientFactory,
        SellerFactory,
        VatRateFactory,
        ProjectFactory,
        BusinessHoursFactory,
        IntegrationAccountFactory,
    ],
)
def test_a_valid_factory_row_saves(factory):
    row = factory()

    row.refresh_from_db()
    assert type(row).objects.filter(pk=row.pk).exists()


# --- Seller -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        pytest.param({"code": "Main"}, "seller_code_format", id="code with a capital letter"),
        pytest.param({"inn": ""}, "seller_inn_format", id="no inn"),
        pytest.param({"inn": "77070838931"}, "seller_inn_format", id="inn of 11 digits"),
        pytest.param({"kpp": "7736010"}, "seller_kpp_format", id="kpp of 7 digits"),
        pytest.param({"ogrn": "102770013219"}, "seller_ogrn_format", id="ogrn of 12 digits"),
        pytest.param({"bik": "04452522"}, "seller_bik_format", id="bik of 8 digits"),
        pytest.param({"account": "4070281093800000000"}, "seller_accounts_format", id="account"),
        pytest.param(
            {"correspondent_account": "3010181040000000022X"},
            "seller_accounts_format",
            id="correspondent account with a letter",
        ),
    ],
)
def test_seller_refuses_a_bad_row(overrides, constraint):
    assert_refused_on_insert_and_update(SellerFactory, overrides, constraint)


def test_a_seller_named_by_a_client_cannot_be_deleted():
    seller = SellerFactory()
    ClientFactory(seller=seller)
    with pytest.raises(ProtectedError):
        seller.delete()


# --- Client -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        pytest.param({"code": "Acme"}, "client_code_format", id="code with a capital letter"),
        pytest.param({"code": "-acme"}, "client_code_format", id="code starting with a dash"),
        pytest.param({"code": "_acme"}, "client_code_format", id="code starting with _"),
        pytest.param({"code": "acme corp"}, "client_code_format", id="code with a space"),
        pytest.param({"code": ""}, "client_code_format", id="empty code"),
        pytest.param({"tax_id": "770123456"}, "client_tax_id_format", id="tax id of 9 digits"),
        pytest.param({"tax_id": "77012345608"}, "client_tax_id_format", id="tax id of 11 digits"),
        pytest.param({"tax_id": "770123456X"}, "client_tax_id_format", id="tax id with a letter"),
        pytest.param({"kpp": "77010100"}, "client_kpp_format", id="kpp of 8 digits"),
        pytest.param({"kpp": "77010100X"}, "client_kpp_format", id="kpp with a letter"),
        pytest.param({"currency": "rub"}, "client_currency_format", id="lowercase currency"),
        pytest.param({"currency": "RU"}, "client_currency_format", id="currency of 2 letters"),
        pytest.param({"currency": "R1B"}, "client_currency_format", id="currency with a digit"),
        pytest.param({"ogrn": "10277001321"}, "client_ogrn_format", id="ogrn of 11 digits"),
        pytest.param({"payment_terms_days": 366}, "client_payment_terms_range", id="terms 366"),
    ],
)
def test_client_refuses_a_bad_row(overrides, constraint):
    assert_refused_on_insert_and_update(ClientFactory, overrides, constraint)


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"code": "0-a_b"}, id="code of digits, dash and underscore"),
        pytest.param({"tax_id": ""}, id="no tax id"),
        pytest.param({"tax_id": "7701234560"}, id="tax id of a company, 10 digits"),
        pytest.param({"tax_id": "770123456089"}, id="tax id of a person, 12 digits"),
        pytest.param({"kpp": ""}, id="no kpp"),
        pytest.param({"kpp": "770101001"}, id="kpp of 9 digits"),
        pytest.param({"currency": "USD"}, id="another currency"),
    ],
)
def test_client_accepts_a_valid_row(overrides):
    client = ClientFactory(**overrides)

    assert_saved_as_given(client, overrides)


def test_client_code_is_unique():
    ClientFactory(code="acme")

    with pytest.raises(IntegrityError, match="projects_client_code_key"), transaction.atomic():
        ClientFactory(code="acme")
    assert Client.objects.filter(code="acme").count() == 1


# --- VatRate ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        pytest.param({"rate": Decimal("1")}, "vat_rate_fraction", id="rate of 100%"),
        pytest.param({"rate": Decimal("1.2")}, "vat_rate_fraction", id="rate above 100%"),
        pytest.param({"rate": Decimal("-0.0001")}, "vat_rate_fraction", id="negative rate"),
    ],
)
def test_vat_rate_refuses_a_bad_row(overrides, constraint):
    assert_refused_on_insert_and_update(VatRateFactory, overrides, constraint)


@pytest.mark.parametrize("rate", [Decimal("0"), Decimal("0.2"), Decimal("0.9999")])
def test_vat_rate_accepts_a_fraction(rate):
    vat_rate = VatRateFactory(rate=rate)

    vat_rate.refresh_from_db()
    assert vat_rate.rate == rate


def test_vat_rate_is_once_per_client_and_day():
    first = VatRateFactory(valid_from=dt.date(2026, 1, 1), rate=Decimal("0.2"))

    with pytest.raises(IntegrityError, match="vat_rate_once_per_day"), transaction.atomic():
        VatRateFactory(client=first.client, valid_from=dt.date(2026, 1, 1), rate=Decimal("0.22"))
    VatRateFactory(client=first.client, valid_from=dt.date(2027, 1, 1), rate=Decimal("0.22"))
    VatRateFactory(valid_from=dt.date(2026, 1, 1), rate=Decimal("0.22"))  # another client

    assert VatRate.objects.filter(client=first.client).count() == 2
    assert VatRate.objects.filter(valid_from=dt.date(2026, 1, 1)).count() == 2


# --- Project ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        pytest.param({"code": "Hotline"}, "project_code_format", id="code with a capital letter"),
        pytest.param({"code": "-hotline"}, "project_code_format", id="code starting with a dash"),
        pytest.param({"code": "hot line"}, "project_code_format", id="code with a space"),
        pytest.param({"code": ""}, "project_code_format", id="empty code"),
        pytest.param(
            {"sl_target": Decimal("1.001")}, "project_sl_target_ratio", id="sl target above 1"
        ),
        pytest.param(
            {"sl_target": Decimal("-0.001")}, "project_sl_target_ratio", id="negative sl target"
        ),
        pytest.param(
            {"abandon_rate_target": Decimal("1.001")},
            "project_abandon_target_ratio",
            id="abandon target above 1",
        ),
        pytest.param(
            {"abandon_rate_target": Decimal("-0.001")},
            "project_abandon_target_ratio",
            id="negative abandon target",
        ),
        pytest.param(
            {"service_mode": "partial"}, "project_service_mode_valid", id="unknown service mode"
        ),
        pytest.param({"sl_formula": "magic"}, "project_sl_formula_valid", id="unknown sl formula"),
        # PositiveIntegerField columns get a ">= 0" check from Django itself.
        pytest.param(
            {"sl_threshold_seconds": -1},
            "projects_project_sl_threshold_seconds_check",
            id="negative sl threshold",
        ),
        pytest.param(
            {"short_abandon_seconds": -1},
            "projects_project_short_abandon_seconds_check",
            id="negative short abandon",
        ),
        pytest.param(
            {"asa_target_seconds": -1},
            "projects_project_asa_target_seconds_check",
            id="negative asa target",
        ),
    ],
)
def test_project_refuses_a_bad_row(overrides, constraint):
    assert_refused_on_insert_and_update(ProjectFactory, overrides, constraint)


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"code": "night-reserve_2"}, id="code with dash and underscore"),
        pytest.param({"sl_target": Decimal("0"), "abandon_rate_target": Decimal("0")}, id="0"),
        pytest.param({"sl_target": Decimal("1"), "abandon_rate_target": Decimal("1")}, id="1"),
        *(
            pytest.param({"service_mode": mode}, id=f"service mode {mode}")
            for mode in Project.ServiceMode.values
        ),
        *(
            pytest.param({"sl_formula": formula}, id=f"sl formula {formula}")
            for formula in Project.SlFormula.values
        ),
    ],
)
def test_project_accepts_a_valid_row(overrides):
    project = ProjectFactory(**overrides)

    assert_saved_as_given(project, overrides)


def test_project_code_is_unique():
    ProjectFactory(code="hotline")

    with pytest.raises(IntegrityError, match="projects_project_code_key"), transaction.atomic():
        ProjectFactory(code="hotline")
    assert Project.objects.filter(code="hotline").count() == 1


def test_a_client_with_projects_cannot_be_deleted():
    project = ProjectFactory()
    client = project.client

    with pytest.raises(ProtectedError):
        client.delete()

    # Below the ORM too: the foreign key refuses a raw delete once constraints are checked
    # (Django's foreign keys are deferred to commit; check_constraints() runs them now).
    with pytest.raises(IntegrityError, match=Project._meta.db_table), transaction.atomic():  # noqa: PT012  the delete and its deferred check are one act
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {Client._meta.db_table} WHERE id = %s", [client.pk])  # noqa: S608
        connection.check_constraints()
    assert Client.objects.filter(pk=client.pk).exists()


def test_a_client_without_projects_can_be_deleted():
    client = ClientFactory()

    client.delete()

    assert not Client.objects.filter(pk=client.pk).exists()


# --- BusinessHours ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        pytest.param({"weekday": 7}, "business_hours_weekday", id="weekday 7"),
        pytest.param(
            {"weekday": -1}, "projects_businesshours_weekday_check", id="negative weekday"
        ),
        pytest.param(
            {"opens": dt.time(18), "closes": dt.time(9)},
            "business_hours_opens_before_closes",
            id="closes before it opens",
        ),
        pytest.param(
            {"opens": dt.time(9), "closes": dt.time(9)},
            "business_hours_opens_before_closes",
            id="closes when it opens",
        ),
    ],
)
def test_business_hours_refuse_a_bad_row(overrides, constraint):
    assert_refused_on_insert_and_update(BusinessHoursFactory, overrides, constraint)


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"weekday": 0, "opens": dt.time(9), "closes": dt.time(18)}, id="monday 9-18"),
        pytest.param({"weekday": 6, "opens": dt.time(10), "closes": dt.time(16)}, id="sunday"),
        pytest.param({"opens": dt.time(18), "closes": dt.time(0)}, id="until midnight, 18-24"),
        pytest.param({"opens": dt.time(0), "closes": dt.time(0)}, id="around the clock, 0-24"),
    ],
)
def test_business_hours_accept_a_valid_window(overrides):
    window = BusinessHoursFactory(**overrides)

    assert_saved_as_given(window, overrides)


def test_business_hours_have_one_window_per_start():
    first = BusinessHoursFactory(weekday=0, opens=dt.time(9), closes=dt.time(13))

    with (
        pytest.raises(IntegrityError, match="business_hours_one_window_per_start"),
        transaction.atomic(),
    ):
        BusinessHoursFactory(project=first.project, weekday=0, opens=dt.time(9), closes=dt.time(18))
    BusinessHoursFactory(project=first.project, weekday=0, opens=dt.time(14), closes=dt.time(18))
    BusinessHoursFactory(project=first.project, weekday=1, opens=dt.time(9), closes=dt.time(13))
    BusinessHoursFactory(weekday=0, opens=dt.time(9), closes=dt.time(13))  # another project

    assert BusinessHours.objects.filter(project=first.project).count() == 3
