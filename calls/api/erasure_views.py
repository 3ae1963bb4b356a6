"""contacts/erase/: erase a caller's number from the calls and contacts in the caller's scope."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response

from calls.erasure import callers_erase, projects_for_erasure
from calls.models import Contact
from calls.phones import phone_normalize
from contactcenter.api.schema import error_responses
from projects.api.scoping import MANAGER, ScopedViewSetMixin
from projects.models import Project
from projects.tenancy import is_client_integration


class EraseRequestSerializer(serializers.Serializer):
    phone = serializers.CharField(
        max_length=32,
        help_text="The number as typed (`8 (901) 123-45-52`, `+7 901 123 45 52`) or E.164.",
    )

    def validate_phone(self, value: str) -> str:
        e164 = phone_normalize(value)
        if not e164:
            raise serializers.ValidationError(
                _("Not a phone number: give it in E.164, such as +79011234552.")
            )
        return e164


class ErasureResultSerializer(serializers.Serializer):
    calls_pseudonymized = serializers.IntegerField(help_text="Calls whose number was blanked.")
    contacts_deleted = serializers.IntegerField(help_text="Contacts deleted, with their notes.")
    recordings_unlinked = serializers.IntegerField(help_text="Calls whose recording was unlinked.")


class MayErase(permissions.BasePermission):
    """Superusers, the client's integration, and staff who manage a project; never QA
    evaluators, trainers, staff without a project or the center's telephony (403)."""

    message = _(
        "Only the projects' managers, administrators and the client's integration may erase "
        "callers' data."
    )

    def has_permission(self, request, view):
        user = request.user
        if user.is_superuser or is_client_integration(user):
            return True
        # The center's telephony feeds calls; it controls no caller's data.
        return user.is_staff and Project.managers.through.objects.filter(user=user).exists()


@extend_schema(
    summary="Erase a caller's number (152-FZ art. 21, GDPR art. 17)",
    description=(
        "On every call of the projects in scope (a manager: the projects they manage; an "
        "integration: its client's; a superuser: all) the number becomes blank and the call "
        "is marked erased, its recording is unlinked, and the project's contact of that "
        "number is deleted with its notes. Durations, KPIs and invoices do not change. Who "
        "and when is recorded, not the number. Erasing again answers zeros; a later call "
        "from the number is a new caller."
    ),
    request=EraseRequestSerializer,
    responses={200: ErasureResultSerializer, **error_responses(400, 401, 403)},
)
class ContactEraseView(ScopedViewSetMixin, generics.GenericAPIView):
    serializer_class = EraseRequestSerializer
    permission_classes = [permissions.IsAuthenticated, MayErase]
    scope_path = "project"
    scope_role = MANAGER
    scope_write_role = MANAGER
    queryset = Contact.objects.none()  # the erasure works on the projects in scope, not rows

    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = callers_erase(
            phone=serializer.validated_data["phone"],
            projects=projects_for_erasure(request.user),
            actor=request.user,
        )
        return Response(result.as_dict(), status=status.HTTP_200_OK)
