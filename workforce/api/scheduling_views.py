"""Schedule generation for the shared pool and replacements for absent operators.

Operators are the shared pool, so only superusers and project managers use these endpoints
and see every operator (``may_change_pool``); QA evaluators, trainers, staff with no
project role and integration tokens get a 403 before any lookup. A PM names only
projects they see in a requirement, and the project codes in an answer are cut to those.
"""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import permissions
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from agents import replacements
from agents.models import Absence, Operator, ShiftTemplate
from contactcenter.api.schema import error_responses
from contactcenter.errors import DomainError
from projects.api.scoping import ScopedViewSetMixin, StaffOnly
from workforce import scheduling
from workforce.api.scheduling_serializers import (
    AssignedShiftSerializer,
    AssignInputSerializer,
    ReplacementsSerializer,
    ScheduleGenerateInputSerializer,
    ScheduleResultSerializer,
    schedule_data,
)


class PlanningStaffOnly(StaffOnly):
    message = "Only administrators and project managers may plan the operator pool."
    managers_only = True


class ScheduleGenerateView(ScopedViewSetMixin, GenericAPIView):
    permission_classes = [permissions.IsAuthenticated, PlanningStaffOnly]
    serializer_class = ScheduleGenerateInputSerializer
    scope_path = "certifications__project"
    scope_bypass_for_staff = True  # the shared pool: staff schedule every operator

    def get_base_queryset(self):
        return Operator.objects.all()

    @extend_schema(
        summary="Generate a week's schedule for the operator pool (CP-SAT)",
        description=(
            "Picks at most one active shift template per operator and UTC day so that the "
            "operators on shift, each serving one project they are certified for, cover "
            "every project's requirement per 15-minute interval; honours absences, stored "
            "shifts, `min_rest_hours` and `max_hours_per_week` (paid time: duration minus "
            "break). Coverage is soft: the answer leaves the fewest agent-intervals "
            "uncovered, then uses the fewest paid hours. `publish: false` is a preview; "
            "`true` writes the shifts, skipping any that overlap a stored shift."
        ),
        request=ScheduleGenerateInputSerializer,
        responses={200: ScheduleResultSerializer, **error_responses(400, 401, 403)},
        examples=[
            OpenApiExample(
                "Two agents on a line all week, preview",
                {"start": "2026-10-05", "requirements": {"hotline": 2}, "publish": False},
                request_only=True,
            )
        ],
    )
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        requirements = data["requirements"]
        visible = set(
            self.visible_projects().filter(code__in=requirements).values_list("code", flat=True)
        )
        unknown = sorted(set(requirements) - visible)
        if unknown:
            raise DomainError(
                "Unknown projects.",
                details={"requirements": [f"No project {code!r}." for code in unknown]},
            )
        operators = self.get_queryset()
        if "operators" in data:
            codes = set(data["operators"])
            operators = operators.filter(code__in=codes)
            missing = sorted(codes - set(operators.values_list("code", flat=True)))
            if missing:
                raise DomainError(
                    "Unknown operators.",
                    details={"operators": [f"No operator {code!r}." for code in missing]},
                )
        templates = list(ShiftTemplate.objects.filter(is_active=True))
        if not templates:
            raise DomainError(
                "No active shift template.",
                details={"non_field_errors": ["Create a shift template first."]},
            )
        result = scheduling.schedule_week(
            start=data["start"],
            requirements=requirements,
            operators=scheduling.pool_operators(start=data["start"], operators=operators),
            templates=templates,
            max_hours_per_week=data["max_hours_per_week"],
            min_rest_hours=data["min_rest_hours"],
            time_limit_seconds=data["time_limit_seconds"],
        )
        published = None
        if data["publish"] and result.solved:
            published = scheduling.schedule_publish(result=result)
        return Response(ScheduleResultSerializer(schedule_data(result, published)).data)


class _AbsenceView(ScopedViewSetMixin, GenericAPIView):
    permission_classes = [permissions.IsAuthenticated, PlanningStaffOnly]
    scope_path = "operator__certifications__project"
    scope_bypass_for_staff = True
    lookup_url_kwarg = "id"

    def get_base_queryset(self):
        return Absence.objects.select_related("operator")


class AbsenceReplacementsView(_AbsenceView):
    serializer_class = ReplacementsSerializer

    @extend_schema(
        summary="Operators who can take an absent operator's shifts, and who cannot",
        description=(
            "Every rule is the operator's contract (docs/scheduling.md). `candidates`: "
            "active operators who can take at least one absent shift (certified for its "
            "project, not absent, free, rested, within their consecutive days, their "
            "maximum weekly hours and, without overtime allowed, their contract's hours); "
            "ranked by extra (overtime) cost, then not on a preferred day off, shared "
            "certifications, their highest level on them, fewest hours that week. `shifts` "
            "of a candidate are the absent shifts they can take. `excluded`: every other "
            "active operator with one reason (`code` stable, `reason` readable)."
        ),
        responses={200: ReplacementsSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, id):
        absence = self.get_object()
        visible = set(self.visible_projects().values_list("code", flat=True))
        candidates, excluded = replacements.replacements_for(absence=absence)
        for candidate in candidates:
            candidate.shared_projects = [c for c in candidate.shared_projects if c in visible]
            candidate.shifts = [shift.pk for shift in candidate.shifts]
        data = {
            "absence": absence.pk,
            "operator": absence.operator.code,
            "shifts": replacements.absence_shifts(absence),
            "candidates": candidates,
            "excluded": excluded,
        }
        return Response(ReplacementsSerializer(data).data)


class AbsenceAssignView(_AbsenceView):
    serializer_class = AssignInputSerializer

    @extend_schema(
        summary="Hand one of the absent operator's shifts to a replacement",
        request=AssignInputSerializer,
        responses={200: AssignedShiftSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request, id):
        absence = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        shift = next(
            (s for s in replacements.absence_shifts(absence) if s.pk == data["shift"]), None
        )
        if shift is None:
            raise DomainError(
                "Not a shift of this absence.",
                details={"shift": ["No shift of the absent operator during the absence."]},
            )
        operator = Operator.objects.filter(code=data["operator"]).first()
        if operator is None:
            raise DomainError(
                "Unknown operator.", details={"operator": [f"No operator {data['operator']!r}."]}
            )
        shift = replacements.replacement_assign(shift=shift, operator=operator)
        return Response(AssignedShiftSerializer(shift).data)
