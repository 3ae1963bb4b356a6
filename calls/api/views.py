"""Call records: ingestion of one call, a filtered list with a cursor, and detail."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from calls.api.filters import CallFilter
from calls.api.rows import call_rows, call_values
from calls.api.serializers import CallSerializer
from calls.ingest import calls_ingest
from calls.models import Call
from calls.phones import full_number_projects
from contactcenter.api.ingest import IngestResultSerializer, ingest_response
from contactcenter.api.pagination import TimeCursorPagination
from contactcenter.api.schema import IDEMPOTENCY_KEY, error_responses
from projects.api.scoping import QA_EVALUATOR, ScopedViewSetMixin
from projects.models import Project


@extend_schema_view(
    list=extend_schema(
        summary="List calls, newest first",
        description="Cursor-paginated by (offered_at, id) descending; follow `next`.",
        responses={200: CallSerializer(many=True), **error_responses(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary="Get a call", responses={200: CallSerializer, **error_responses(401, 404)}
    ),
    create=extend_schema(
        summary="Send call records: one object or a list of up to 10,000",
        description=(
            "Stores calls of projects in the caller's scope (an integration: its client's "
            "projects). A list is atomic: any invalid row rejects the whole batch, with "
            "errors keyed by row index and field. A row identical to a stored call (same "
            "project and external_id, same data) is skipped and counted in `duplicates`; "
            "the same external_id with different data is a 409 naming the row. Send an "
            "`Idempotency-Key` header to make a retry return the first answer."
        ),
        request=CallSerializer(many=True),
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: OpenApiResponse(IngestResultSerializer, description="Stored."),
            200: OpenApiResponse(IngestResultSerializer, description="Every row a duplicate."),
            **error_responses(400, 401, 409),
        },
    ),
)
class CallViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Calls of the projects in the caller's scope.

    Records are what the telephony reported, so the API does not edit or delete them:
    there is no PUT, PATCH or DELETE. A wrong record is corrected by an administrator
    in the admin; a resend with different data is refused (409) rather than silently
    rewriting billed history.

    POST takes one object or a list and stores it through ``calls.ingest.calls_ingest``,
    the same path as the Asterisk and CSV importers: plain checks per row and one COPY, not
    a serializer per row, which would cost more than storing the rows.
    """

    serializer_class = CallSerializer
    scope_path = "project"
    telephony_reaches = True  # the center's telephony sends and reads every project's calls
    # QA evaluators read their projects' calls; only managers (and integrations) send them:
    # create() cuts to self.visible_projects(), which follows the writing role.
    scope_role = QA_EVALUATOR
    pagination_class = TimeCursorPagination
    # Only the filterset: the cursor fixes the order, so no ordering or search params.
    filter_backends = [DjangoFilterBackend]
    filterset_class = CallFilter

    def get_base_queryset(self):
        return Call.objects.select_related("project", "operator")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        user = getattr(self.request, "user", None)  # the schema generator may send none
        full = full_number_projects(user) if user is not None else Project.objects.none()
        context["full_number_project_ids"] = (
            None if full is None else set(full.values_list("pk", flat=True))
        )
        return context

    def list(self, request, *args, **kwargs):
        # Plain rows (calls.api.rows), the serializer's shape without its per-field cost.
        queryset = call_values(self.filter_queryset(self.get_queryset()))
        page = self.paginate_queryset(queryset)
        full = self.get_serializer_context()["full_number_project_ids"]
        return self.get_paginated_response(call_rows(page, full))

    def create(self, request, *args, **kwargs):
        allowed = (
            None
            if self.reaches_every_row()  # a superuser; the telephony, for every project
            else set(self.visible_projects().values_list("pk", flat=True))
        )
        return ingest_response(
            request, lambda rows: calls_ingest(rows=rows, allowed_project_ids=allowed)
        )
