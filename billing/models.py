"""Tariffs with time-of-day bands, monthly invoices and their lines, gapless invoice numbers."""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from projects.models import Client, Project

WEEKDAYS = list(range(7))


class Tariff(models.Model):
    """A project's price per minute, valid from a local date until the project's next tariff."""

    class Billable(models.TextChoices):
        TALK = "talk", _("Talk (connected minus hold)")
        CONNECTED = "connected", _("Connected (talk and hold)")
        HANDLE = "handle", _("Handle (connected plus wrap, capped)")

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="tariffs", verbose_name=_("project")
    )
    valid_from = models.DateField(
        _("valid from"), help_text=_("Local date in the project's time zone.")
    )
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    rate_per_minute = models.DecimalField(_("rate per minute"), max_digits=12, decimal_places=4)
    first_increment_seconds = models.PositiveIntegerField(_("first increment (s)"), default=60)
    next_increment_seconds = models.PositiveIntegerField(_("next increment (s)"), default=60)
    free_seconds = models.PositiveIntegerField(
        _("free seconds"),
        default=0,
        help_text=_("Calls of at most this many billable seconds cost nothing."),
    )
    billable = models.CharField(
        _("billable time"), max_length=10, choices=Billable.choices, default=Billable.CONNECTED
    )
    wrap_cap_seconds = models.PositiveIntegerField(
        _("wrap cap (s)"),
        null=True,
        blank=True,
        help_text=_("With 'handle': wrap counted per call, at most."),
    )
    monthly_minimum = models.DecimalField(
        _("monthly minimum"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")
        ordering = ["project", "-valid_from"]
        constraints = [
            # Also the index for "the tariff in force on a date": (project, valid_from <= d).
            models.UniqueConstraint(fields=["project", "valid_from"], name="tariff_once_per_day"),
            models.CheckConstraint(
                condition=Q(rate_per_minute__gte=0), name="tariff_rate_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(first_increment_seconds__gte=1) & Q(next_increment_seconds__gte=1),
                name="tariff_increments_positive",
            ),
            models.CheckConstraint(
                condition=Q(monthly_minimum__gte=0), name="tariff_minimum_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(billable__in=["talk", "connected", "handle"]),
                name="tariff_billable_valid",
            ),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="tariff_currency_format"
            ),
        ]

    def __str__(self):
        return gettext("%(project)s from %(date)s: %(rate)s/min") % {
            "project": self.project.code,
            "date": self.valid_from,
            "rate": self.rate_per_minute,
        }


class TariffBand(models.Model):
    """A local-time window with its own rate (night, weekend). First listed match wins.

    ``end`` at or before ``start`` crosses midnight (``end`` 00:00 is 24:00); the window
    belongs to the weekday it starts on.
    """

    tariff = models.ForeignKey(
        Tariff, on_delete=models.CASCADE, related_name="bands", verbose_name=_("tariff")
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Order in which bands are tried.")
    )
    # A context: Django's own "name" (a person's, "имя") would win in Russian.
    name = models.CharField(pgettext_lazy("band", "name"), max_length=40)
    display_name = models.CharField(
        _("printed name"),
        max_length=80,
        blank=True,
        default="",
        help_text=_(
            "Printed on invoices, acts and УПД instead of the internal name; blank: the name."
        ),
    )
    weekdays = ArrayField(
        models.PositiveSmallIntegerField(),
        verbose_name=_("weekdays"),
        help_text=_("0 = Monday ... 6 = Sunday."),
    )
    start = models.TimeField(pgettext_lazy("band", "start"))
    end = models.TimeField(
        pgettext_lazy("band", "end"),
        help_text=_("00:00 means 24:00; at or before start crosses midnight."),
    )
    rate_per_minute = models.DecimalField(_("rate per minute"), max_digits=12, decimal_places=4)

    class Meta:
        verbose_name = _("tariff band")
        verbose_name_plural = _("tariff bands")
        ordering = ["tariff", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tariff", "position"], name="tariff_band_position"),
            models.UniqueConstraint(fields=["tariff", "name"], name="tariff_band_name"),
            models.CheckConstraint(
                condition=Q(weekdays__contained_by=WEEKDAYS) & Q(weekdays__len__gte=1),
                name="tariff_band_weekdays_valid",
            ),
            models.CheckConstraint(
                condition=Q(rate_per_minute__gte=0), name="tariff_band_rate_non_negative"
            ),
        ]

    def __str__(self):
        return f"{self.name} {self.start:%H:%M}-{self.end:%H:%M}"

    @property
    def printed_name(self) -> str:
        """The band's name on documents: its display name, else its internal name."""
        return self.display_name or self.name


class Invoice(models.Model):
    """One invoice per client per local calendar month (SPEC section 7)."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("invoice", "Draft")
        ISSUED = "issued", pgettext_lazy("invoice", "Issued")
        PAID = "paid", pgettext_lazy("invoice", "Paid")
        VOID = "void", pgettext_lazy("invoice", "Void")

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("client")
    )
    period = models.DateField(_("period"), help_text=_("First day of the billed month."))
    status = models.CharField(
        _("status"), max_length=6, choices=Status.choices, default=Status.DRAFT
    )
    number = models.CharField(
        pgettext_lazy("invoice", "number"), max_length=20, null=True, blank=True, unique=True
    )
    currency = models.CharField(_("currency"), max_length=3)
    vat_included = models.BooleanField(_("VAT included"), default=False)
    vat_rate = models.DecimalField(
        _("VAT rate"), max_digits=5, decimal_places=4, default=Decimal("0")
    )
    subtotal = models.DecimalField(
        _("subtotal"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    vat = models.DecimalField(_("VAT"), max_digits=14, decimal_places=2, default=Decimal("0.00"))
    total = models.DecimalField(
        _("total"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    generated_at = models.DateTimeField(_("generated at"), auto_now_add=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    calls_received_before = models.DateTimeField(
        _("calls received before"),
        null=True,
        blank=True,
        help_text=_(
            "Watermark: the invoice bills calls received before this instant; a call of its "
            "period received later is billed on a later invoice (docs/billing.md)."
        ),
    )
    calls_after_build = models.PositiveIntegerField(
        _("calls after the build"),
        default=0,
        help_text=_(
            "Answered calls of the period received at or after the watermark when the invoice "
            "was last built (in flight then): a later build, the issue or the next invoice "
            "bills them (docs/billing.md, 'Drafts are complete')."
        ),
    )
    due_date = models.DateField(
        _("due date"),
        null=True,
        blank=True,
        help_text=_("Set at issue: the issue date plus the client's payment terms (days)."),
    )
    snapshot = models.JSONField(
        _("snapshot"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Taken at issue: both parties, VAT, projects and tariffs as rated; every export of "
            "an issued invoice reads it (docs/billing.md, 'Frozen documents')."
        ),
    )

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-period", "client"]
        constraints = [
            # Regenerating a period never duplicates: one live invoice per client and month.
            # A void one keeps its number and leaves room for its replacement.
            models.UniqueConstraint(
                fields=["client", "period"],
                condition=~Q(status="void"),
                name="invoice_one_live_per_client_period",
            ),
            models.CheckConstraint(
                condition=Q(period__day=1), name="invoice_period_first_of_month"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "issued", "paid", "void"]),
                name="invoice_status_valid",
            ),
            models.CheckConstraint(
                condition=(Q(status="draft") & Q(number__isnull=True))
                | (
                    ~Q(status="draft")
                    & Q(number__isnull=False)
                    & Q(number__regex=r"^INV-[0-9]{4}-[0-9]{6}$")
                ),
                name="invoice_number_iff_issued",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(issued_at__isnull=False),
                name="invoice_issued_has_date",
            ),
            models.CheckConstraint(
                condition=(Q(vat_included=True) & Q(total=F("subtotal")))
                | (Q(vat_included=False) & Q(total=F("subtotal") + F("vat"))),
                name="invoice_total_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(vat_rate__gte=0) & Q(vat_rate__lt=1), name="invoice_vat_rate_fraction"
            ),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="invoice_currency_format"
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_at__isnull=False), name="invoice_paid_has_date"
            ),
            models.CheckConstraint(
                condition=~Q(status="void") | Q(voided_at__isnull=False),
                name="invoice_void_has_date",
            ),
        ]
        indexes = [
            # Accounting's list: "invoices of a period, by status".
            models.Index(fields=["period", "status"], name="invoice_period_status_idx"),
        ]

    def __str__(self):
        if self.number:
            return self.number
        return gettext("draft %(client)s %(period)s") % {
            "client": self.client.code,
            "period": f"{self.period:%Y-%m}",
        }


# What an invoice "is" in a sentence ("INV-2026-000001 is issued"): English reads the code.
INVOICE_STATUS_WORDS = {
    "draft": pgettext_lazy("invoice is", "draft"),
    "issued": pgettext_lazy("invoice is", "issued"),
    "paid": pgettext_lazy("invoice is", "paid"),
    "void": pgettext_lazy("invoice is", "void"),
}


class InvoiceLine(models.Model):
    """Usage of a project in a band, or a monthly-minimum top-up, on an invoice."""

    class Kind(models.TextChoices):
        USAGE = "usage", _("Usage")
        MINIMUM_TOPUP = "minimum_topup", _("Monthly minimum top-up")
        SLA_CREDIT = "sla_credit", _("SLA credit")

    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="lines", verbose_name=_("invoice")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="invoice_lines", verbose_name=_("project")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.USAGE)
    band = models.CharField(
        _("band"), max_length=40, blank=True, help_text=_("Blank: the base rate.")
    )
    service_period = models.DateField(
        _("service period"),
        help_text=_("The month the calls were made; earlier than the invoice's for late calls."),
    )
    description = models.CharField(_("description"), max_length=255)
    calls = models.PositiveIntegerField(_("calls"), default=0)
    billed_seconds = models.BigIntegerField(_("billed seconds"), default=0)
    rate_per_minute = models.DecimalField(_("rate per minute"), max_digits=12, decimal_places=4)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="invoice_line_position"),
            models.CheckConstraint(
                condition=Q(billed_seconds__gte=0), name="invoice_line_seconds_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(service_period__day=1), name="invoice_line_period_first_of_month"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["usage", "minimum_topup", "sla_credit"]),
                name="invoice_line_kind_valid",
            ),
            # Only an SLA credit takes money off; usage and top-ups never go below zero.
            models.CheckConstraint(
                condition=Q(kind="sla_credit", amount__lte=0)
                | (~Q(kind="sla_credit") & Q(amount__gte=0)),
                name="invoice_line_amount_sign",
            ),
        ]

    def __str__(self):
        return self.description

    @property
    def quantity_minutes(self):
        """Billed minutes, exact: seconds / 60 (SPEC section 7)."""
        return Decimal(self.billed_seconds) / 60


class InvoiceCoverage(models.Model):
    """Which calls an invoice bills: the client's calls offered in ``service_period`` (each
    project's local month) and received in [``received_from``, ``received_before``).

    A handful of rows per invoice (its own month, and earlier months whose invoice was
    already issued when late calls arrived), not a row per call: the issued invoices'
    windows tell which calls are billed already, so a late call is found by its
    ``received_at`` alone (docs/billing.md, "Late calls").
    """

    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="coverage", verbose_name=_("invoice")
    )
    service_period = models.DateField(
        _("service period"), help_text=_("First day of the month the calls were made.")
    )
    received_from = models.DateTimeField(
        _("received from"), null=True, blank=True, help_text=_("Blank: no lower bound.")
    )
    received_before = models.DateTimeField(_("received before"))

    class Meta:
        verbose_name = _("invoice coverage")
        verbose_name_plural = _("invoice coverage")
        ordering = ["invoice", "service_period", "received_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(service_period__day=1), name="invoice_coverage_period_first_of_month"
            ),
            models.CheckConstraint(
                condition=Q(received_from__isnull=True) | Q(received_from__lt=F("received_before")),
                name="invoice_coverage_window_ordered",
            ),
        ]
        indexes = [
            # Generation: "the windows already billed for a client's month" (join on invoice).
            models.Index(fields=["service_period", "invoice"], name="invoice_coverage_period_idx"),
        ]

    def __str__(self):
        return f"{self.invoice} {self.service_period:%Y-%m}"


class InvoiceNumberSequence(models.Model):
    """Last invoice number given in a year; a row lock on it keeps numbers gapless."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("invoice number sequence")
        verbose_name_plural = _("invoice number sequences")
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=9999), name="invoice_sequence_year_range"
            ),
        ]

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class Payment(models.Model):
    """Money received against an issued invoice: typed in, or imported from a bank statement.

    ``amount`` is what the client paid; ``applied_amount`` the part that paid the invoice
    (at most its balance); the rest is kept as the client's credit (``ClientCredit``).
    """

    class Source(models.TextChoices):
        MANUAL = "manual", _("Manual")
        BANK_STATEMENT = "bank_statement", _("Bank statement")

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="payments", verbose_name=_("invoice")
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    applied_amount = models.DecimalField(_("applied amount"), max_digits=14, decimal_places=2)
    paid_on = models.DateField(_("paid on"), help_text=_("The date the money arrived."))
    reference = models.CharField(_("reference"), max_length=255, blank=True)
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.MANUAL
    )
    bank_number = models.CharField(
        _("bank document number"), max_length=30, blank=True, help_text=_("Bank document number.")
    )
    bank_date = models.DateField(
        _("bank document date"), null=True, blank=True, help_text=_("Bank document date.")
    )
    payer_inn = models.CharField(_("payer's INN"), max_length=12, blank=True)
    payer_account = models.CharField(_("payer's account"), max_length=20, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["invoice", "paid_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(applied_amount__gte=0) & Q(applied_amount__lte=F("amount")),
                name="payment_applied_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(source__in=["manual", "bank_statement"]), name="payment_source_valid"
            ),
            models.CheckConstraint(
                condition=Q(source="manual") | (~Q(bank_number="") & Q(bank_date__isnull=False)),
                name="payment_bank_document_named",
            ),
            # Importing a statement again (or an overlapping one) adds nothing.
            models.UniqueConstraint(
                fields=["bank_number", "bank_date", "payer_account", "amount"],
                condition=Q(source="bank_statement"),
                name="payment_bank_document_once",
            ),
        ]

    def __str__(self):
        return gettext("%(amount)s on %(date)s for %(invoice)s") % {
            "amount": self.amount,
            "date": self.paid_on,
            "invoice": self.invoice,
        }


class ClientCredit(models.Model):
    """Money of a client we hold: the part of a payment beyond its invoice's balance."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="credits", verbose_name=_("client")
    )
    payment = models.OneToOneField(
        Payment,
        on_delete=models.PROTECT,
        related_name="credit",
        null=True,
        blank=True,
        verbose_name=_("payment"),
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("client credit")
        verbose_name_plural = _("client credits")
        ordering = ["client", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="client_credit_positive"),
        ]

    def __str__(self):
        return f"{self.client.code}: {self.amount} {self.currency}"


# What a delivery "is" in a sentence ("INV-2026-000001 to buh@...: sent"): English reads the code.
DELIVERY_STATUS_WORDS = {
    "pending": pgettext_lazy("delivery is", "pending"),
    "sent": pgettext_lazy("delivery is", "sent"),
    "failed": pgettext_lazy("delivery is", "failed"),
}


class Delivery(models.Model):
    """One e-mail of an invoice's documents to one recipient, and how it went."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("delivery", "Pending")
        SENT = "sent", pgettext_lazy("delivery", "Sent")
        FAILED = "failed", pgettext_lazy("delivery", "Failed")

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("invoice")
    )
    recipient = models.EmailField(_("recipient"), max_length=254)
    status = models.CharField(
        _("status"), max_length=7, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["invoice", "recipient"], name="delivery_once"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sent", "failed"]), name="delivery_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="delivery_sent_has_date",
            ),
        ]

    def __str__(self):
        return gettext("%(invoice)s to %(recipient)s: %(status)s") % {
            "invoice": self.invoice,
            "recipient": self.recipient,
            "status": DELIVERY_STATUS_WORDS.get(self.status, self.status),
        }


class SlaTerm(models.Model):
    """A project's service-level promise in its contract, from a local date: the metric, its
    target and the credit schedule (``SlaCreditTier``) a month that misses it earns the
    client on that month's invoice (docs/billing.md, "SLA credits")."""

    class Metric(models.TextChoices):
        SERVICE_LEVEL = "service_level", _("Service level (at least)")
        ABANDON_RATE = "abandon_rate", _("Abandon rate (at most)")

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="sla_terms", verbose_name=_("project")
    )
    valid_from = models.DateField(
        _("valid from"),
        help_text=_("Local date; the term in force on a month's first day judges that month."),
    )
    metric = models.CharField(
        _("metric"), max_length=16, choices=Metric.choices, default=Metric.SERVICE_LEVEL
    )
    target_percent = models.DecimalField(
        _("target, %"),
        max_digits=5,
        decimal_places=2,
        help_text=_("Service level at least, or abandon rate at most, in percent."),
    )
    threshold_seconds = models.PositiveIntegerField(
        _("threshold (s)"),
        null=True,
        blank=True,
        help_text=_("Service level: answered within this many seconds; blank: the project's."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("SLA term")
        verbose_name_plural = _("SLA terms")
        ordering = ["project", "-valid_from"]
        constraints = [
            # Also the index of "the term in force on a date": (project, valid_from <= d).
            models.UniqueConstraint(fields=["project", "valid_from"], name="sla_term_once_per_day"),
            models.CheckConstraint(
                condition=Q(target_percent__gte=0) & Q(target_percent__lte=100),
                name="sla_term_target_percent",
            ),
            models.CheckConstraint(
                condition=Q(metric__in=["service_level", "abandon_rate"]),
                name="sla_term_metric_valid",
            ),
            models.CheckConstraint(
                condition=Q(threshold_seconds__isnull=True)
                | (Q(threshold_seconds__gte=1) & Q(threshold_seconds__lte=3600)),
                name="sla_term_threshold_range",
            ),
        ]

    def __str__(self):
        return gettext("%(project)s from %(date)s: %(metric)s %(target)s%%") % {
            "project": self.project.code,
            "date": self.valid_from,
            "metric": self.get_metric_display(),
            "target": self.target_percent,
        }


class SlaCreditTier(models.Model):
    """One step of a term's credit schedule: a shortfall of up to ``shortfall_up_to_points``
    percentage points (blank: any shortfall beyond the other tiers) earns ``credit_percent``
    of the project's usage of the month."""

    term = models.ForeignKey(
        SlaTerm, on_delete=models.CASCADE, related_name="tiers", verbose_name=_("SLA term")
    )
    shortfall_up_to_points = models.DecimalField(
        _("shortfall up to (points)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Percentage points under (over) the target; blank: beyond every other tier."),
    )
    credit_percent = models.DecimalField(
        _("credit, %"), max_digits=5, decimal_places=2, help_text=_("Of the project's usage.")
    )

    class Meta:
        verbose_name = _("SLA credit tier")
        verbose_name_plural = _("SLA credit tiers")
        ordering = [F("shortfall_up_to_points").asc(nulls_last=True), "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "shortfall_up_to_points"],
                nulls_distinct=False,
                name="sla_tier_once_per_bound",
            ),
            models.CheckConstraint(
                condition=Q(shortfall_up_to_points__isnull=True)
                | (Q(shortfall_up_to_points__gt=0) & Q(shortfall_up_to_points__lte=100)),
                name="sla_tier_bound_range",
            ),
            models.CheckConstraint(
                condition=Q(credit_percent__gt=0) & Q(credit_percent__lte=100),
                name="sla_tier_credit_range",
            ),
        ]

    def __str__(self):
        if self.shortfall_up_to_points is None:
            return gettext("beyond: %(credit)s%%") % {"credit": self.credit_percent}
        return gettext("up to %(points)s points: %(credit)s%%") % {
            "points": self.shortfall_up_to_points,
            "credit": self.credit_percent,
        }
