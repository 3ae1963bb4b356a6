"""factory_boy factories for every model; tests override only what they are about."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from agents.models import Absence, AgentStateEvent, Certification, Operator, Shift
from billing.invoicing import invoice_totals
from billing.models import Invoice, InvoiceLine, InvoiceNumberSequence, Tariff, TariffBand
from calls.models import Call, Contact
from contactcenter import tokens
from contactcenter.models import ApiToken
from projects.models import BusinessHours, Client, IntegrationAccount, Project, Seller, VatRate

UTC = dt.UTC
T0 = dt.datetime(2026, 10, 5, 9, 0, tzinfo=UTC)  # a Monday morning, the fixed clock of tests


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pass-12345")


class TokenFactory(factory.django.DjangoModelFactory):
    """An API token issued as the commands issue it; ``.key`` holds its key, which only
    this instance knows (the database keeps the digest)."""

    class Meta:
        model = ApiToken

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"test-{n}")

    @classmethod
    def _create(cls, model_class, *, user, name, expires_at=None, **kwargs):
        token, key = tokens.issue(user, name=name, expires_at=expires_at)
        token.key = key
        return token


# The demo seller of projects/migrations/0005 (the SELLER_* defaults), checksum-valid.
MAIN_SELLER = {
    "name": "ООО «Контакт-Центр Демо»",
    "inn": "7709876545",
    "kpp": "770901001",
    "ogrn": "1027709876545",
    "address": "105064, г. Москва, ул. Земляной Вал, д. 9",
    "bank": "АО «Демо Банк», г. Москва",
    "bik": "044525999",
    "account": "40702810600000012345",
    "correspondent_account": "30101810600000000999",
    "director": "Иванов И. И.",
    "chief_accountant": "Петрова А. С.",
}


def main_seller() -> Seller:
    """The seller "main" as the data migration creates it (again, after a flush)."""
    return Seller.objects.get_or_create(code="main", defaults=MAIN_SELLER)[0]


class SellerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seller

    code = factory.Sequence(lambda n: f"seller{n}")
    name = factory.Sequence(lambda n: f"ООО «Продавец {n}»")
    inn = "7707083893"
    kpp = "773601001"
    ogrn = "1027700132195"
    bank = "ПАО Сбербанк"
    bik = "044525225"
    correspondent_account = "30101810400000000225"
    account = "40702810938000000001"


class ClientFactory(factory.django.DjangoModelFactory):
    """A client billed by the seller "main" (a test of the default seller passes None)."""

    class Meta:
        model = Client

    seller = factory.LazyFunction(main_seller)

    code = factory.Sequence(lambda n: f"client{n}")
    legal_name = factory.Sequence(lambda n: f"OOO Client {n}")
    tax_id = "7701234560"
    currency = "RUB"


class VatRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VatRate

    client = factory.SubFactory(ClientFactory)
    valid_from = dt.date(2000, 1, 1)
    rate = Decimal("0.2000")


class IntegrationAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntegrationAccount

    user = factory.SubFactory(UserFactory)
    client = factory.SubFactory(ClientFactory)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    code = factory.Sequence(lambda n: f"project{n}")
    name = factory.Sequence(lambda n: f"Hotline {n}")
    client = factory.SubFactory(ClientFactory)
    timezone = "Europe/Moscow"


class BusinessHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessHours

    project = factory.SubFactory(ProjectFactory)
    weekday = 0
    opens = dt.time(9)
    closes = dt.time(18)


class OperatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Operator

    code = factory.Sequence(lambda n: f"op{n}")
    full_name = factory.Sequence(lambda n: f"Operator {n}")
    status = Operator.Status.ACTIVE
    hired_on = dt.date(2025, 1, 10)
    hourly_cost = Decimal("450.00")


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification

    operator = factory.SubFactory(OperatorFactory)
    project = factory.SubFactory(ProjectFactory)
    certified_on = dt.date(2025, 2, 1)


class ShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shift

    operator = factory.SubFactory(OperatorFactory)
    starts_at = T0
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + dt.timedelta(hours=8))


class AbsenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Absence

    operator = factory.SubFactory(OperatorFactory)
    kind = Absence.Kind.SICK
    starts_on = dt.date(2026, 10, 5)
    ends_on = dt.date(2026, 10, 7)


class AgentStateEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgentStateEvent

    operator = factory.SubFactory(OperatorFactory)
    state = AgentStateEvent.State.READY
    at = T0


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    project = factory.SubFactory(ProjectFactory)
    phone = factory.Sequence(lambda n: f"+7495{n:07d}")


class CallFactory(factory.django.DjangoModelFactory):
    """An answered inbound call: 12 s wait, 150 s connected, 10 s hold, 20 s wrap."""

    class Meta:
        model = Call

    project = factory.SubFactory(ProjectFactory)
    external_id = factory.Sequence(lambda n: f"cdr-{n}")
    direction = Call.Direction.INBOUND
    caller = "+74951234567"
    operator = factory.SubFactory(OperatorFactory)
    offered_at = T0
    answered_at = factory.LazyAttribute(lambda c: c.offered_at + dt.timedelta(seconds=12))
    ended_at = factory.LazyAttribute(
        lambda c: (c.answered_at or c.offered_at) + dt.timedelta(seconds=150)
    )
    hold_seconds = 10
    wrap_seconds = 20


class TariffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tariff

    project = factory.SubFactory(ProjectFactory)
    valid_from = dt.date(2026, 1, 1)
    rate_per_minute = Decimal("12.5000")
    first_increment_seconds = 60
    next_increment_seconds = 60


class TariffBandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TariffBand

    tariff = factory.SubFactory(TariffFactory)
    position = factory.Sequence(lambda n: n)
    name = factory.Sequence(lambda n: f"night{n}")
    weekdays = [0, 1, 2, 3, 4]
    start = dt.time(22)
    end = dt.time(8)
    rate_per_minute = Decimal("15.0000")


class InvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invoice

    client = factory.SubFactory(ClientFactory)
    period = dt.date(2026, 10, 1)
    currency = "RUB"


class InvoiceLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InvoiceLine
        skip_postgeneration_save = True

    invoice = factory.SubFactory(InvoiceFactory)
    position = factory.Sequence(lambda n: n)
    project = factory.SubFactory(ProjectFactory)
    service_period = dt.date(2026, 10, 1)
    description = "Conversation minutes"
    billed_seconds = 600
    rate_per_minute = Decimal("12.5000")
    amount = Decimal("125.00")

    @factory.post_generation
    def totals(line, create, extracted, **kwargs):
        """A draft's totals follow its lines, as generation makes them (the database
        refuses to issue an invoice whose totals do not add up)."""
        invoice = line.invoice
        if not create or invoice.status != Invoice.Status.DRAFT:
            return
        amounts = list(InvoiceLine.objects.filter(invoice=invoice).values_list("amount", flat=True))
        fields = invoice_totals(
            amounts=amounts, vat_rate=invoice.vat_rate, vat_included=invoice.vat_included
        )
        Invoice.objects.filter(pk=invoice.pk).update(**fields)
        for name, value in fields.items():
            setattr(invoice, name, value)


class InvoiceNumberSequenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InvoiceNumberSequence

    year = 2026
