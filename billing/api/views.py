"""Tariffs (CRUD looked up by id) and invoices (read, generate, lifecycle, downloads), cut
to the projects and clients the caller sees."""

from django.db.models import DecimalField, OuterRef, Prefetch, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from billing import services
from billing.api.filters import InvoiceFilter, SlaTermFilter, TariffFilter
from billing.api.serializers import (
    DeliverySerializer,
    DryRunQuerySerializer,
    InvoiceArchiveQuerySerializer,
    InvoiceExportQuerySerializer,
    InvoiceGenerateSerializer,
    InvoiceSerializer,
    PaymentCreateSerializer,
    PaymentImportSerializer,
    PaymentSerializer,
    PayQuerySerializer,
    ReconciliationQuerySerializer,
    SlaTermSerializer,
    TariffSerializer,
)
from billing.archive import archive_download_name, invoice_archive
from billing.bank_import import import_statement
from billing.delivery import deliver_again
from billing.exports.formats import DIALECTS, FORMAT_NAMES, XLSX_TYPE, export_response
from billing.exports.reconciliation import reconciliation_pdf, reconciliation_xlsx
from billing.invoices import invoice_issue, invoice_void
from billing.invoicing import invoice_generate
from billing.models import ClientCredit, Invoice, InvoiceLine, Payment, SlaTerm, Tariff
from billing.payments import ZERO, credit_balance, invoice_pay, payment_record
from billing.reconciliation import reconciliation
from contactcenter.api.schema import error_responses
from contactcenter.errors import DomainError
from projects.api.scoping import (
    SELF,
    CatalogPermission,
    NoBillingForAssignedRoles,
    ScopedViewSetMixin,
)
from projects.api.viewsets import CatalogViewSet
from projects.models import Client

# 403: QA evaluators and trainers, who see no billing (NoBillingForAssignedRoles).
READ_ERRORS = error_responses(401, 403, 404)
LIST_ERRORS = error_responses(400, 401, 403, 404)  # 404: a page past the end
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409)


@extend_schema_view(
    list=extend_schema(
        summary="List tariffs", responses={200: TariffSerializer(many=True), **LIST_ERRORS}
    ),
    retrieve=extend_schema(
        summary="Get a tariff", responses={200: TariffSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        summary="Create a tariff", responses={201: TariffSerializer, **WRITE_ERRORS}
    ),
    update=extend_schema(
        summary="Replace a tariff", responses={200: TariffSerializer, **WRITE_ERRORS}
    ),
    partial_update=extend_schema(
        summary="Update a tariff", responses={200: TariffSerializer, **WRITE_ERRORS}
    ),
    destroy=extend_schema(summary="Delete a tariff", responses={204: None, **WRITE_ERRORS}),
)
class TariffViewSet(CatalogViewSet):
    """A project's prices, each valid from a local date until the project's next tariff.

    Everyone sees the tariffs of the projects in their scope; superusers and the PMs of
    the project change them. ``bands``, when sent, replaces the stored bands in the
    listed order. A tariff that rated an issued or paid invoice cannot be changed or
    deleted, and no tariff may start inside a month such an invoice billed: 409 naming the
    invoice (docs/billing.md, "Frozen documents"); a tariff from a later date replaces it.
    """

    serializer_class = TariffSerializer
    permission_classes = [IsAuthenticated, NoBillingForAssignedRoles, CatalogPermission]
    scope_path = "project"
    filterset_class = TariffFilter
    ordering_fields = ["valid_from", "id"]

    def get_base_queryset(self):
        return Tariff.objects.select_related("project").prefetch_related("bands")

    def create_object(self, data):
        return services.tariff_create(**data)

    def update_object(self, instance, data):
        return services.tariff_update(tariff=instance, **data)

    def delete_object(self, instance):
        services.tariff_delete(tariff=instance)


@extend_schema_view(
    list=extend_schema(
        summary="List SLA terms", responses={200: SlaTermSerializer(many=True), **LIST_ERRORS}
    ),
    retrieve=extend_schema(
        summary="Get SLA terms", responses={200: SlaTermSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        summary="Create SLA terms", responses={201: SlaTermSerializer, **WRITE_ERRORS}
    ),
    update=extend_schema(
        summary="Replace SLA terms", responses={200: SlaTermSerializer, **WRITE_ERRORS}
    ),
    partial_update=extend_schema(
        summary="Update SLA terms", responses={200: SlaTermSerializer, **WRITE_ERRORS}
    ),
    destroy=extend_schema(summary="Delete SLA terms", responses={204: None, **WRITE_ERRORS}),
)
class SlaTermViewSet(CatalogViewSet):
    """A project's SLA terms from a local date: the metric (``service_level`` at least or
    ``abandon_rate`` at most), its target in percent, the threshold (service level; null:
    the project's) and the credit ``tiers`` a month that misses it earns on its invoice
    (docs/billing.md, "SLA credits"). Scoped and written like the tariffs: superusers and the
    project's PMs write, integrations read; terms that judged an issued invoice are frozen
    (409 naming it)."""

    serializer_class = SlaTermSerializer
    permission_classes = [IsAuthenticated, NoBillingForAssignedRoles, CatalogPermission]
    scope_path = "project"
    filterset_class = SlaTermFilter
    ordering_fields = ["valid_from", "id"]

    def get_base_queryset(self):
        return SlaTerm.objects.select_related("project").prefetch_related("tiers")

    def create_object(self, data):
        return services.sla_term_create(**data)

    def update_object(self, instance, data):
        return services.sla_term_update(term=instance, **data)

    def delete_object(self, instance):
        services.sla_term_delete(term=instance)


FILE_RESPONSES = {
    (200, "application/pdf"): OpenApiTypes.BINARY,
    (200, XLSX_TYPE): OpenApiTypes.BINARY,
    (200, "text/csv"): OpenApiTypes.BINARY,
    (200, "application/xml"): OpenApiTypes.BINARY,
}
LIFECYCLE_ERRORS = error_responses(400, 401, 403, 404)


def _lifecycle_schema(summary, description):
    return extend_schema(
        summary=summary,
        description=description,
        request=None,
        responses={200: InvoiceSerializer, **LIFECYCLE_ERRORS},
    )


@extend_schema_view(
    list=extend_schema(
        summary="List invoices", responses={200: InvoiceSerializer(many=True), **LIST_ERRORS}
    ),
    retrieve=extend_schema(
        summary="Get an invoice with its lines", responses={200: InvoiceSerializer, **READ_ERRORS}
    ),
)
class InvoiceViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Monthly invoices of the clients in the caller's scope (SPEC section 7).

    Everyone reads and downloads the invoices of the clients they see; superusers and
    project managers generate them and move them through draft -> issued -> paid, or
    issued -> void. Integration tokens only read (403 on the writes).
    """

    serializer_class = InvoiceSerializer
    scope_path = "client"
    lookup_value_regex = "[0-9]+"
    permission_classes = [IsAuthenticated, NoBillingForAssignedRoles, CatalogPermission]
    filterset_class = InvoiceFilter
    ordering_fields = ["period", "id", "total"]
    search_fields: list[str] = []

    # ?format= names the file type of export/, not a DRF renderer: those two actions skip
    # content negotiation (their errors are JSON; their files are plain Django responses).
    file_actions = frozenset({"export"})

    def perform_content_negotiation(self, request, force=False):
        if self.action in self.file_actions:
            renderer = self.get_renderers()[0]
            return renderer, renderer.media_type
        return super().perform_content_negotiation(request, force)

    def get_base_queryset(self):
        lines = InvoiceLine.objects.select_related("project").order_by("position")
        paid = (
            Payment.objects.filter(invoice=OuterRef("pk"))
            .values("invoice")
            .annotate(total=Sum("applied_amount"))
            .values("total")
        )
        money = DecimalField(max_digits=14, decimal_places=2)
        return (
            Invoice.objects.select_related("client")
            .annotate(paid=Coalesce(Subquery(paid, output_field=money), ZERO, output_field=money))
            .prefetch_related(Prefetch("lines", queryset=lines))
            .order_by("-period", "client__code", "id")
        )

    def _answer(self, invoice):
        return Response(self.get_serializer(self.get_queryset().get(pk=invoice.pk)).data)

    @extend_schema(
        summary="Generate a month's invoices",
        description=(
            "Builds the invoices of `period` for `client`, or for every client in the "
            "caller's scope: drafts are rebuilt, issued invoices are left alone, nothing is "
            "duplicated. Answers the invoices generated."
        ),
        request=InvoiceGenerateSerializer,
        filters=False,
        responses={200: InvoiceSerializer(many=True), **error_responses(400, 401, 403)},
    )
    @action(detail=False, methods=["post"], pagination_class=None)
    def generate(self, request):
        serializer = InvoiceGenerateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        period = serializer.validated_data["period"]
        code = serializer.validated_data.get("client")
        clients = self.visible_clients()
        if code is not None:
            if not clients.filter(code=code).exists():
                raise DomainError(
                    _("Invalid input."),
                    details={"client": [_("Unknown client '%(code)s'.") % {"code": code}]},
                )
            codes = [code]
        elif request.user.is_superuser:
            codes = [None]  # every client, as the monthly job does
        else:
            codes = list(clients.order_by("code").values_list("code", flat=True))
        generated = [
            invoice
            for client_code in codes
            for invoice in invoice_generate(period=period, client_code=client_code)
        ]
        invoices = self.get_queryset().filter(pk__in=[invoice.pk for invoice in generated])
        return Response(self.get_serializer(invoices, many=True).data)

    @_lifecycle_schema(
        "Issue an invoice", "Gives a draft its number (INV-YYYY-NNNNNN) and freezes it."
    )
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        return self._answer(invoice_issue(invoice=self.get_object()))

    @extend_schema(
        summary="Mark an invoice paid",
        description=(
            "Kept for older clients: records a payment of the whole balance dated today "
            "(seller's calendar), or of `amount` on `paid_on` when sent; the invoice becomes "
            "paid when nothing is left due. Prefer `payments/`."
        ),
        request=PayQuerySerializer,
        responses={200: InvoiceSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        invoice = self.get_object()
        body = PayQuerySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(invoice_pay(invoice=invoice, user=request.user, **body.validated_data))

    @extend_schema(
        summary="Payments of an invoice",
        description=(
            "GET lists the invoice's payments. POST records one `{amount, paid_on, "
            "reference}` on an issued invoice (a draft, paid or void one: 409): a partial "
            "payment leaves it issued with its balance; the payment reaching the total makes "
            "it paid on `paid_on`; the part beyond the balance is kept as the client's credit "
            "and the answer says so (`credit`, `message`)."
        ),
        methods=["POST"],
        request=PaymentCreateSerializer,
        responses={201: PaymentSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @extend_schema(
        methods=["GET"],
        filters=False,
        responses={200: PaymentSerializer(many=True), **READ_ERRORS},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def payments(self, request, pk=None):
        invoice = self.get_object()
        if request.method == "GET":
            rows = invoice.payments.select_related("invoice", "created_by").order_by(
                "paid_on", "id"
            )
            return Response(PaymentSerializer(rows, many=True).data)
        body = PaymentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = payment_record(invoice=invoice, user=request.user, **body.validated_data)
        answer = {
            **PaymentSerializer(result.payment).data,
            "invoice_status": result.invoice.status,
            "paid_amount": str(result.paid_amount),
            "balance_due": str(result.balance_due),
            "client_credit": str(credit_balance(result.invoice.client)),
            "message": result.message,
        }
        return Response(answer, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="E-mail an invoice again",
        description=(
            "Queues the invoice's documents to the client's `billing_email` again, even if "
            "sent before; answers the delivery rows (their status changes as the job runs). "
            "409: a draft or void invoice, or a client without `billing_email`."
        ),
        request=None,
        responses={
            202: DeliverySerializer(many=True),
            **error_responses(400, 401, 403, 404, 409),
        },
    )
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        rows = deliver_again(self.get_object())
        for row in rows:
            row.refresh_from_db()  # eager runs (tests, demo) have sent it already
        return Response(DeliverySerializer(rows, many=True).data, status=status.HTTP_202_ACCEPTED)

    @_lifecycle_schema(
        "Void an invoice",
        "An issued invoice becomes void; it keeps its number, and its calls can be billed "
        "on a replacement.",
    )
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        return self._answer(invoice_void(invoice=self.get_object()))

    @extend_schema(
        summary="Download an invoice",
        description=(
            "`pdf`: the invoice as accounting prints it (with the payment QR once issued); "
            "`xlsx`: the same in Excel; `csv`: its lines and totals; `detail`: every billed "
            "call (streamed CSV) ending with rows that add up to the invoice; `detail-xlsx`: the "
            "same calls in Excel (streamed, one sheet per million calls); `act`: the акт "
            "оказанных услуг (PDF); `upd`: the УПД exchange file, ФНС format 5.03, "
            "windows-1251, named by its ИдФайл; `upd-pdf`: the УПД's printed form. `act`, "
            "`upd` and `upd-pdf` exist for issued and paid invoices only (409 naming the "
            "status otherwise). `dialect=excel` (csv, detail): UTF-8 BOM, `;`, decimal comma. "
            "File name: the number (`INV-2026-000001.pdf`, `-act.pdf`, `-upd.pdf`), or "
            "`draft-<client>-<YYYY-MM>.pdf` for a draft."
        ),
        parameters=[
            OpenApiParameter("format", OpenApiTypes.STR, enum=list(FORMAT_NAMES), required=True),
            OpenApiParameter("dialect", OpenApiTypes.STR, enum=list(DIALECTS), required=False),
        ],
        filters=False,
        responses={**FILE_RESPONSES, **error_responses(400, 401, 404, 409)},
    )
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        invoice = self.get_object()
        query = InvoiceExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        return export_response(
            invoice, data["format"], dialect=data.get("dialect"), request=request
        )


class InvoiceArchiveView(ScopedViewSetMixin, GenericAPIView):
    """invoices/archive/?period=YYYY-MM: the month's archive of the invoices in scope."""

    scope_path = "client"
    permission_classes = [IsAuthenticated, NoBillingForAssignedRoles]
    pagination_class = None
    filter_backends = []

    def get_base_queryset(self):
        return Invoice.objects.all()

    # ?period= only; no DRF renderer makes a ZIP, so errors alone go through negotiation.
    def perform_content_negotiation(self, request, force=False):
        renderer = self.get_renderers()[0]
        return renderer, renderer.media_type

    @extend_schema(
        summary="Download a month's archive",
        description=(
            "A ZIP of every invoice of `period` among the clients the caller sees: each "
            "one's PDF, XLSX and detail CSV, and `registry-<YYYY-MM>.xlsx` listing them "
            "with totals. Built on first request, then served as stored until an invoice "
            "of the set changes."
        ),
        parameters=[OpenApiParameter("period", OpenApiTypes.STR, required=True)],
        responses={
            (200, "application/zip"): OpenApiTypes.BINARY,
            **error_responses(400, 401, 403),
        },
    )
    def get(self, request):
        query = InvoiceArchiveQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        period = query.validated_data["period"]
        path = invoice_archive(period=period, invoices=self.get_queryset())
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=archive_download_name(period),
            content_type="application/zip",
        )


class PaymentImportView(ScopedViewSetMixin, GenericAPIView):
    """payments/import/: a bank statement's incoming payments matched and recorded. The
    statement is the company's account and reaches every client: superusers only."""

    scope_path = "invoice__client"
    permission_classes = [IsAuthenticated, NoBillingForAssignedRoles, CatalogPermission]
    superuser_only_actions = ("import",)
    parser_classes = [MultiPartParser]
    pagination_class = None
    filter_backends = []
    action = "import"

    def get_base_queryset(self):
        return Payment.objects.all()

    @extend_schema(
        summary="Import a bank statement",
        description=(
            "A 1CClientBankExchange file (1.02/1.03; windows-1251, cp866 or UTF-8, detected "
            "and named in `encoding`). Incoming payments to our settlement account are "
            "matched to issued invoices by the number in the purpose, the payer's ИНН and the "
            "amount, and recorded as payments (partial, full, over: see payments/). The answer "
            "lists `matched`, `ambiguous`, `unmatched`, `already_imported` and `skipped`, each "
            "with its reason. `?dry_run=true` answers the same and stores nothing. Importing "
            "a statement again adds nothing."
        ),
        request={"multipart/form-data": PaymentImportSerializer},
        parameters=[OpenApiParameter("dry_run", OpenApiTypes.BOOL)],
        responses={200: OpenApiTypes.OBJECT, **error_responses(400, 401, 403)},
    )
    def post(self, request):
        query = DryRunQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        body = PaymentImportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        if upload.size > MAX_STATEMENT_BYTES:
            raise DomainError(_("Invalid input."), details={"file": [_("At most 5 MB.")]})
        answer = import_statement(
            data=upload.read(), dry_run=query.validated_data["dry_run"], user=request.user
        )
        return Response(answer)


MAX_STATEMENT_BYTES = 5 * 1024 * 1024


class ClientBillingView(ScopedViewSetMixin, GenericAPIView):
    """Base of clients/{code}/...: the client, looked up among those the caller sees."""

    scope_path = SELF
    permission_classes = [IsAuthenticated, NoBillingForAssignedRoles]
    pagination_class = None
    filter_backends = []

    def get_base_queryset(self):
        return Client.objects.all()

    def client(self, code):
        return get_object_or_404(self.get_queryset(), code=code)


class ClientReconciliationView(ClientBillingView):
    """clients/{code}/reconciliation/: the акт сверки of a span of months."""

    def perform_content_negotiation(self, request, force=False):
        renderer = self.get_renderers()[0]  # ?format= names the file, not a renderer
        return renderer, renderer.media_type

    @extend_schema(
        summary="Reconciliation statement (акт сверки)",
        description=(
            "Opening balance, invoices issued in the months (debit), payments received "
            "(credit) and the closing balance; a positive balance is the client's debt. "
            "`format`: `json` (default), `pdf` or `xlsx`."
        ),
        parameters=[
            OpenApiParameter("from", OpenApiTypes.STR, required=True),
            OpenApiParameter("to", OpenApiTypes.STR, required=True),
            OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "pdf", "xlsx"]),
        ],
        responses={
            200: OpenApiTypes.OBJECT,
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, XLSX_TYPE): OpenApiTypes.BINARY,
            **error_responses(400, 401, 403, 404),
        },
    )
    def get(self, request, code):
        client = self.client(code)
        query = ReconciliationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        statement = reconciliation(client=client, first_month=data["from"], last_month=data["to"])
        name = f"reconciliation-{client.code}-{data['from']:%Y-%m}-{data['to']:%Y-%m}"
        if data["format"] == "json":
            return Response(statement.as_dict())
        if data["format"] == "pdf":
            response = HttpResponse(reconciliation_pdf(statement), content_type="application/pdf")
        else:
            response = HttpResponse(reconciliation_xlsx(statement), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}.{data["format"]}"'
        return response


class ClientCreditView(ClientBillingView):
    """clients/{code}/credit/: the client's money we hold (overpayments)."""

    @extend_schema(
        summary="A client's credit balance",
        description="The sum of the client's credits (overpayments kept), and each of them.",
        responses={200: OpenApiTypes.OBJECT, **error_responses(401, 403, 404)},
    )
    def get(self, request, code):
        client = self.client(code)
        rows = ClientCredit.objects.filter(client=client).select_related("payment__invoice")
        return Response(
            {
                "client": client.code,
                "currency": client.currency,
                "balance": str(credit_balance(client)),
                "credits": [
                    {
                        "amount": str(row.amount),
                        "note": row.note,
                        "invoice": row.payment.invoice.number if row.payment else None,
                        "created_at": row.created_at.isoformat(),
                    }
                    for row in rows.order_by("created_at", "id")
                ],
            }
        )
