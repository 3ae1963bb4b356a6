"""Shifts (with their planned activities) and absences of the shared pool, CRUD by id.

Staff only: superusers and staff read them, superusers and project managers write them
(``may_change_pool``); QA evaluators, trainers and staff with no project role read, and
every integration token gets a 403 (schedules are the center's internal planning).

A shift on a project is that project's row: a PM reads and writes the pool's shifts
(no project) and those of the projects they manage; another client's project shift is a
404, and naming its project is a 400 naming ``project``. Absences belong to the pool:
every staff user reads them all, managers write them all.
"""

import django_filters
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.permissions import IsAuthenticated

from agents import shifts
from agents.api.shift_serializers import AbsenceSerializer, ShiftSerializer
from agents.models import Absence, Shift, ShiftActivity
from contactcenter.api.fields import AwareIsoDateTimeFilter
from contactcenter.api.schema import error_responses
from projects.api.scoping import CatalogPermission, StaffOnly
from projects.api.viewsets import CatalogViewSet

READ_ERRORS = error_responses(401, 403, 404)
LIST_ERRORS = error_responses(400, 401, 403, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409)


class ShiftFilter(django_filters.FilterSet):
    operator = django_filters.CharFilter(method="filter_operator", help_text="Operator code.")
    project = django_filters.CharFilter(method="filter_project", help_text="Project code.")
    ends_after = AwareIsoDateTimeFilter(
        field_name="ends_at", lookup_expr="gt", help_text="Shifts ending after this instant."
    )
    starts_before = AwareIsoDateTimeFilter(
        field_name="starts_at", lookup_expr="lt", help_text="Shifts starting before this instant."
    )

    class Meta:
        model = Shift
        fields = ["operator", "project"]

    @classmethod
    def get_filters(cls):
        # The shifts overlapping [from, to): "from" is a Python keyword.
        filters = super().get_filters()
        filters["from"] = filters.pop("ends_after")
        filters["to"] = filters.pop("starts_before")
        return filters

    def filter_operator(self, queryset, name, value):
        return queryset.filter(operator__code=value)

    def filter_project(self, queryset, name, value):
        return queryset.filter(project__code=value)  # rows are already cut to the scope


class AbsenceFilter(django_filters.FilterSet):
    operator = django_filters.CharFilter(method="filter_operator", help_text="Operator code.")
    day = django_filters.DateFilter(method="filter_day", help_text="Absences covering this day.")

    class Meta:
        model = Absence
        fields = ["operator", "kind", "day"]

    def filter_operator(self, queryset, name, value):
        return queryset.filter(operator__code=value)

    def filter_day(self, queryset, name, value):
        return queryset.filter(starts_on__lte=value, ends_on__gte=value)


class PoolPlanningPermission(StaffOnly):
    message = gettext_lazy("Only staff read the operators' schedules; integrations do not.")


def _crud_schema(noun, serializer):
    return extend_schema_view(
        list=extend_schema(
            summary=f"List {noun}s", responses={200: serializer(many=True), **LIST_ERRORS}
        ),
        retrieve=extend_schema(summary=f"Get a {noun}", responses={200: serializer, **READ_ERRORS}),
        create=extend_schema(
            summary=f"Create a {noun}", responses={201: serializer, **WRITE_ERRORS}
        ),
        update=extend_schema(
            summary=f"Replace a {noun}", responses={200: serializer, **WRITE_ERRORS}
        ),
        partial_update=extend_schema(
            summary=f"Update a {noun}", responses={200: serializer, **WRITE_ERRORS}
        ),
        destroy=extend_schema(summary=f"Delete a {noun}", responses={204: None, **WRITE_ERRORS}),
    )


@_crud_schema("shift", ShiftSerializer)
class ShiftViewSet(CatalogViewSet):
    """Shifts: ``start`` and ``end`` are instants with an offset; ``activities`` are
    written with the shift and replaced whole when sent (a PUT without them clears them).
    An overlap with another shift of the operator is a 409 naming ``start``."""

    serializer_class = ShiftSerializer
    permission_classes = [IsAuthenticated, PoolPlanningPermission, CatalogPermission]
    scope_path = "project"
    filterset_class = ShiftFilter
    ordering_fields = ["starts_at"]

    def get_base_queryset(self):
        return Shift.objects.select_related("operator", "project").prefetch_related(
            Prefetch("activities", ShiftActivity.objects.order_by("starts_at"))
        )

    def get_queryset(self):
        # A pool shift (no project) is every staff user's; a project's shift follows the
        # project's scope. scope_queryset would drop the pool shifts, so the cut is here.
        queryset = self.get_base_queryset()
        if self.reaches_every_row():
            return queryset
        return queryset.filter(Q(project__isnull=True) | Q(project__in=self.visible_projects()))

    def create_object(self, data):
        return shifts.shift_create(**data)

    def update_object(self, instance, data):
        if self.action == "update":  # PUT replaces the whole shift
            data.setdefault("activities", [])
            data.setdefault("project", None)
            data.setdefault("note", "")
        return shifts.shift_update(shift=instance, **data)

    def delete_object(self, instance):
        shifts.shift_delete(shift=instance)


@_crud_schema("absence", AbsenceSerializer)
class AbsenceViewSet(CatalogViewSet):
    """Absences of the shared pool: ``first_day`` and ``last_day`` are local days (the zone
    of the operator's shifts), both included. An overlap with another absence of the
    operator is a 409 naming ``first_day``."""

    serializer_class = AbsenceSerializer
    permission_classes = [IsAuthenticated, PoolPlanningPermission, CatalogPermission]
    scope_path = "operator__certifications__project"
    scope_bypass_for_staff = True
    filterset_class = AbsenceFilter
    ordering_fields = ["starts_on"]

    def get_base_queryset(self):
        return Absence.objects.select_related("operator")

    def create_object(self, data):
        return shifts.absence_create(**data)

    def update_object(self, instance, data):
        if self.action == "update":
            data.setdefault("note", "")
        return shifts.absence_update(absence=instance, **data)

    def delete_object(self, instance):
        shifts.absence_delete(absence=instance)
