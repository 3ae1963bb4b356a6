"""Clients, their effective-dated VAT rates, projects with business hours and KPI targets."""

import zoneinfo
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from projects import legal_ids

CODE_REGEX = r"^[a-z0-9][a-z0-9_-]*$"
CODE_HELP = _("Lowercase letters, digits, '-' and '_'; used in URLs and by integrations.")


def raise_party_errors(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError({name: [text] for name, text in errors.items()})


@cache
def _timezone_names():
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value):
    if value not in _timezone_names():
        raise ValidationError(
            _("'%(value)s' is not an IANA time zone name, such as 'Europe/Moscow'."),
            params={"value": value},
        )


class Seller(models.Model):
    """Our legal entity, the seller on invoices, акты and УПД (docs/billing.md, "Parties").
    A client names its seller; with one seller it is everyone's."""

    code = models.SlugField(_("code"), max_length=40, unique=True, help_text=CODE_HELP)
    name = models.CharField(pgettext_lazy("legal entity", "name"), max_length=255)
    inn = models.CharField(_("INN"), max_length=12, help_text=_("10 digits (company) or 12."))
    kpp = models.CharField(_("KPP"), max_length=9, blank=True, help_text=_("9 digits, if any."))
    ogrn = models.CharField(_("OGRN"), max_length=15, blank=True, help_text=_("13 or 15 digits."))
    address = models.TextField(_("address"), blank=True)
    bank = models.CharField(_("bank"), max_length=255, blank=True)
    bik = models.CharField(_("BIK"), max_length=9, blank=True)
    correspondent_account = models.CharField(_("correspondent account"), max_length=20, blank=True)
    account = models.CharField(_("settlement account"), max_length=20, blank=True)
    director = models.CharField(_("director"), max_length=255, blank=True)
    chief_accountant = models.CharField(_("chief accountant"), max_length=255, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("seller")
        verbose_name_plural = _("sellers")
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=CODE_REGEX), name="seller_code_format"),
            models.CheckConstraint(
                condition=Q(inn__regex=r"^[0-9]{10}([0-9]{2})?$"), name="seller_inn_format"
            ),
            models.CheckConstraint(
                condition=Q(kpp="") | Q(kpp__regex=r"^[0-9]{9}$"), name="seller_kpp_format"
            ),
            models.CheckConstraint(
                condition=Q(ogrn="") | Q(ogrn__regex=r"^[0-9]{13}([0-9]{2})?$"),
                name="seller_ogrn_format",
            ),
            models.CheckConstraint(
                condition=Q(bik="") | Q(bik__regex=r"^[0-9]{9}$"), name="seller_bik_format"
            ),
            models.CheckConstraint(
                condition=(Q(account="") | Q(account__regex=r"^[0-9]{20}$"))
                & (Q(correspondent_account="") | Q(correspondent_account__regex=r"^[0-9]{20}$")),
                name="seller_accounts_format",
            ),
        ]

    def __str__(self):
        return f"{self.code} ({self.name})"

    def clean(self):
        """Control digits of ИНН, ОГРН, БИК and both accounts' keys (projects.legal_ids)."""
        raise_party_errors(
            legal_ids.party_errors(
                inn=self.inn,
                kpp=self.kpp,
                ogrn=self.ogrn,
                bik=self.bik,
                account=self.account,
                correspondent_account=self.correspondent_account,
            )
        )


class Client(models.Model):
    """A company that buys the service. It is billed once a month for all its projects."""

    code = models.SlugField(_("code"), max_length=40, unique=True, help_text=CODE_HELP)
    legal_name = models.CharField(_("legal name"), max_length=255)
    tax_id = models.CharField(
        _("tax id (INN)"),
        max_length=12,
        blank=True,
        help_text=_("10 digits (company) or 12 (person)."),
    )
    kpp = models.CharField(_("KPP"), max_length=9, blank=True, help_text=_("9 digits, if any."))
    address = models.TextField(_("address"), blank=True)
    billing_email = models.EmailField(_("billing e-mail"), blank=True)
    currency = models.CharField(
        _("currency"), max_length=3, default="RUB", help_text=_("ISO 4217 code.")
    )
    ogrn = models.CharField(_("OGRN"), max_length=15, blank=True, help_text=_("13 or 15 digits."))
    seller = models.ForeignKey(
        Seller,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clients",
        verbose_name=_("seller"),
        help_text=_("Our legal entity that bills this client; blank: the only seller."),
    )
    contract_number = models.CharField(_("contract number"), max_length=64, blank=True)
    contract_date = models.DateField(_("contract date"), null=True, blank=True)
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms, days"),
        default=10,
        validators=[MaxValueValidator(365)],
        help_text=_("Calendar days from the issue date to the invoice's due date (0-365)."),
    )
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Europe/Moscow",
        validators=[validate_timezone],
        help_text=_("IANA name: the client's calendar (when a month closes, VAT rate dates)."),
    )
    vat_included = models.BooleanField(
        _("VAT included in prices"),
        default=False,
        help_text=_("Off: VAT is added on top of the subtotal. On: prices already include VAT."),
    )
    # What the client's own people see in the portal (docs/portal.md): the center decides.
    portal_show_quality = models.BooleanField(
        _("portal shows QA scores"),
        default=True,
        help_text=_("Off: the client's portal users see no quality section."),
    )
    portal_show_recordings = models.BooleanField(
        _("portal plays recordings"),
        default=False,
        help_text=_("On: the portal's call detail plays the call's recording, where it has one."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=CODE_REGEX), name="client_code_format"),
            models.CheckConstraint(
                condition=Q(tax_id="") | Q(tax_id__regex=r"^[0-9]{10}([0-9]{2})?$"),
                name="client_tax_id_format",
            ),
            models.CheckConstraint(
                condition=Q(kpp="") | Q(kpp__regex=r"^[0-9]{9}$"), name="client_kpp_format"
            ),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="client_currency_format"
            ),
            models.CheckConstraint(
                condition=Q(ogrn="") | Q(ogrn__regex=r"^[0-9]{13}([0-9]{2})?$"),
                name="client_ogrn_format",
            ),
            models.CheckConstraint(
                condition=Q(payment_terms_days__lte=365), name="client_payment_terms_range"
            ),
        ]

    def __str__(self):
        return f"{self.code} ({self.legal_name})"

    def clean(self):
        """Control digits of the ИНН and ОГРН (projects.legal_ids), named as the API does."""
        errors = legal_ids.party_errors(inn=self.tax_id, kpp=self.kpp, ogrn=self.ogrn)
        if "inn" in errors:
            errors["tax_id"] = errors.pop("inn")
        raise_party_errors(errors)


class VatRate(models.Model):
    """A VAT rate in force for a client from a date on. Rates change by law, so they are data."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="vat_rates", verbose_name=_("client")
    )
    valid_from = models.DateField(
        _("valid from"), help_text=_("First day the rate applies (the client's local date).")
    )
    rate = models.DecimalField(
        _("rate"), max_digits=5, decimal_places=4, help_text=_("A fraction: 0.2000 is 20%.")
    )

    class Meta:
        verbose_name = _("VAT rate")
        verbose_name_plural = _("VAT rates")
        ordering = ["client", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["client", "valid_from"], name="vat_rate_once_per_day"),
            models.CheckConstraint(
                condition=Q(rate__gte=0) & Q(rate__lt=1), name="vat_rate_fraction"
            ),
        ]

    def __str__(self):
        return f"{self.client.code} {self.rate:%} from {self.valid_from}"


class Project(models.Model):
    """A client's line (hotline, sales, night reserve) served by the shared operator pool."""

    class ServiceMode(models.TextChoices):
        FULL = "full", _("Full service")
        RESERVE = "reserve", _("Reserve (outside the client's own hours)")

    class SlFormula(models.TextChoices):
        OFFERED_MINUS_SHORT = (
            "offered_minus_short",
            _("Answered in T / (offered - short abandons)"),
        )
        ANSWERED_ONLY = "answered_only", _("Answered in T / answered")
        EXCLUDE_EARLY_ABANDONS = (
            "exclude_early_abandons",
            _("Answered in T / (answered + abandoned after T)"),
        )
        EARLY_ABANDONS_AS_MET = (
            "early_abandons_as_met",
            _("(Answered in T + abandoned in T) / (answered + abandoned)"),
        )

    code = models.SlugField(_("code"), max_length=40, unique=True, help_text=CODE_HELP)
    name = models.CharField(_("name"), max_length=255)
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="projects", verbose_name=_("client")
    )
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        validators=[validate_timezone],
        help_text=_("IANA name. Days, months, business hours, bands and billing use it."),
    )
    service_mode = models.CharField(
        _("service mode"), max_length=10, choices=ServiceMode.choices, default=ServiceMode.FULL
    )
    sl_threshold_seconds = models.PositiveIntegerField(_("service level threshold (s)"), default=20)
    sl_target = models.DecimalField(
        _("service level target"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.800"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    short_abandon_seconds = models.PositiveIntegerField(_("short abandon under (s)"), default=5)
    sl_formula = models.CharField(
        _("service level formula"),
        max_length=32,
        choices=SlFormula.choices,
        default=SlFormula.OFFERED_MINUS_SHORT,
    )
    abandon_rate_target = models.DecimalField(
        _("abandon rate target (at most)"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.050"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    asa_target_seconds = models.PositiveIntegerField(
        _("ASA target (s)"),
        null=True,
        blank=True,
        help_text=_("Average speed of answer, at most."),
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="managed_projects",
        verbose_name=_("managers"),
    )
    qa_evaluators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="evaluated_projects",
        verbose_name=_("QA evaluators"),
        help_text=_("QA staff who sample, score and comment this project's calls."),
    )
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="trained_projects",
        verbose_name=_("trainers"),
        help_text=_("Trainers who run this project's training programs and record results."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=CODE_REGEX), name="project_code_format"),
            models.CheckConstraint(
                condition=Q(sl_target__gte=0) & Q(sl_target__lte=1), name="project_sl_target_ratio"
            ),
            models.CheckConstraint(
                condition=Q(abandon_rate_target__gte=0) & Q(abandon_rate_target__lte=1),
                name="project_abandon_target_ratio",
            ),
            models.CheckConstraint(
                condition=Q(service_mode__in=["full", "reserve"]), name="project_service_mode_valid"
            ),
            models.CheckConstraint(
                condition=Q(
                    sl_formula__in=[
                        "offered_minus_short",
                        "answered_only",
                        "exclude_early_abandons",
                        "early_abandons_as_met",
                    ]
                ),
                name="project_sl_formula_valid",
            ),
        ]

    def __str__(self):
        return f"{self.code} ({self.client.code})" if self.client_id else self.code


class BusinessHours(models.Model):
    """One opening window on a weekday, in the project's local time.

    For a ``full`` project these are the hours the line is staffed (none: around the
    clock). For a ``reserve`` project they are the client's own hours, when the client's
    in-house team answers; the pool takes the calls outside them. ``closes`` 00:00 means
    midnight at the end of the day.
    """

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="business_hours", verbose_name=_("project")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(
        _("closes"), help_text=_("00:00 means midnight at the end of the day.")
    )

    class Meta:
        ordering = ["project", "weekday", "opens"]
        verbose_name = _("business hours")
        verbose_name_plural = _("business hours")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "weekday", "opens"], name="business_hours_one_window_per_start"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="business_hours_weekday"),
            models.CheckConstraint(
                condition=Q(opens__lt=F("closes")) | Q(closes="00:00"),
                name="business_hours_opens_before_closes",
            ),
        ]

    def __str__(self):
        closes = "24:00" if self.closes.hour == 0 and self.closes.minute == 0 else self.closes
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{closes}"


class IntegrationAccount(models.Model):
    """Binds an API user (an integration) to what its token reaches.

    A ``client`` integration belongs to one client: its token sees only that client's data,
    posts its calls and never changes the shared pool. The ``telephony`` integration belongs
    to the center, not to a client (no client): it posts calls of every project and agent
    states of the whole pool (``projects.tenancy``).
    """

    class Kind(models.TextChoices):
        CLIENT = "client", _("Client's integration")
        TELEPHONY = "telephony", _("The center's telephony")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="integration",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CLIENT)
    client = models.ForeignKey(
        Client,
        on_delete=models.CASCADE,
        related_name="integrations",
        null=True,
        blank=True,
        verbose_name=_("client"),
        help_text=_("Required for a client's integration; empty for the center's telephony."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("integration account")
        verbose_name_plural = _("integration accounts")
        ordering = ["client", "user"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="client") & Q(client__isnull=False))
                | (Q(kind="telephony") & Q(client__isnull=True)),
                name="integration_client_iff_client_kind",
                violation_error_message=_(
                    "A client's integration names its client; the telephony names none."
                ),
            ),
        ]

    def __str__(self):
        if self.kind == self.Kind.TELEPHONY:
            return f"{self.user} -> telephony (every project)"
        return f"{self.user} -> {self.client.code}"


class ClientUser(models.Model):
    """A person of a client company who logs in to the portal (``portal``), never to the
    admin: the user is not staff, sees only this client's projects, and reads by role.

    ``viewer``: service, calls and QA. ``accountant``: all that, and the money (invoices,
    closing documents, payments, the reconciliation statement).
    """

    class Role(models.TextChoices):
        VIEWER = "viewer", _("Viewer (service, calls, QA)")
        ACCOUNTANT = "accountant", _("Accountant (also invoices and payments)")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="client_user",
        verbose_name=_("user"),
    )
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="portal_users", verbose_name=_("client")
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("client user")
        verbose_name_plural = _("client users")
        ordering = ["client", "user"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["viewer", "accountant"]), name="client_user_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user} -> {self.client.code} ({self.role})"

    def clean(self):
        """A portal user is never staff: the admin would open to them."""
        user = getattr(self, "user", None)
        if user is not None and (user.is_staff or user.is_superuser):
            raise ValidationError(
                {"user": [_("A client user cannot be staff or a superuser; pick another user.")]}
            )
        if user is not None and IntegrationAccount.objects.filter(user=user).exists():
            raise ValidationError(
                {"user": [_("This user is an integration token's; pick another user.")]}
            )
