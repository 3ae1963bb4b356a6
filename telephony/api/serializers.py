"""Input and output shapes of telephony sources, mappings and parked calls.

References are codes, looked up in the caller's scope (the view's ``visible_clients`` and
``visible_projects``, which open every row to the center's telephony): a code outside it
answers as an unknown one, so nothing reveals another client's rows.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agents.models import Operator
from contactcenter.api.fields import AwareDateTimeField
from projects.api.fields import CodeLookupField
from projects.api.scoping import is_integration, is_telephony
from telephony.models import AgentMapping, ParkedCall, QueueMapping, TelephonySource

# Generic CSV: call field -> the file's column; bounded like every input.
MAX_COLUMNS = 40
MAX_COLUMN_NAME = 128


def _view(field: serializers.Field) -> Any:
    return field.context["view"]


@extend_schema_field({"type": "string", "description": "Client code.", "example": "acme"})
class ScopedClientField(CodeLookupField):
    noun = "client"

    def get_queryset(self):
        return _view(self).visible_clients()


@extend_schema_field({"type": "string", "description": "Project code.", "example": "hotline"})
class ScopedProjectField(CodeLookupField):
    noun = "project"

    def get_queryset(self):
        return _view(self).visible_projects()


@extend_schema_field({"type": "string", "description": "Source code.", "example": "acme-pbx"})
class SourceField(CodeLookupField):
    noun = "source"

    def get_queryset(self):
        return TelephonySource.objects.filter(client__in=_view(self).visible_clients())


@extend_schema_field({"type": "string", "description": "Operator code.", "example": "op001"})
class MappableOperatorField(CodeLookupField):
    """The shared pool for staff and the center's telephony; a client's integration names
    only the operators certified on its client's projects."""

    noun = "operator"

    def get_queryset(self):
        view = _view(self)
        user = view.request.user
        if is_integration(user) and not is_telephony(user):
            projects = view.visible_projects()
            return Operator.objects.filter(
                pk__in=Operator.objects.filter(certifications__project__in=projects).values("pk")
            )
        return Operator.objects.all()


class TelephonySourceSerializer(serializers.ModelSerializer):
    client = ScopedClientField(help_text="The client whose PBX this is; fixed once created.")
    waiting_calls = serializers.IntegerField(
        read_only=True, source="waiting", help_text="Parked calls waiting for a mapping."
    )
    created_at = AwareDateTimeField(read_only=True)

    class Meta:
        model = TelephonySource
        fields = [
            "code",
            "name",
            "client",
            "kind",
            "time_zone",
            "phone_region",
            "column_map",
            "is_active",
            "waiting_calls",
            "created_at",
        ]

    def validate_client(self, client):
        if self.instance is not None and client.pk != self.instance.client_id:
            raise serializers.ValidationError(_("A source stays with its client."))
        return client

    def validate_column_map(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError(_("Send an object: call field -> column."))
        if len(value) > MAX_COLUMNS:
            raise serializers.ValidationError(
                _("At most %(count)d columns.") % {"count": MAX_COLUMNS}
            )
        for key, column in value.items():
            if not isinstance(column, str) or len(key) > 64 or len(column) > MAX_COLUMN_NAME:
                raise serializers.ValidationError(
                    _("Each column is a name of at most %(count)d characters.")
                    % {"count": MAX_COLUMN_NAME}
                )
        return value


class QueueMappingSerializer(serializers.ModelSerializer):
    # A field named like DRF's ``Field.source`` attribute: the metaclass takes it out of
    # the class, so only the type checker sees the clash.
    source = SourceField()  # type: ignore[assignment]
    project = ScopedProjectField(help_text="A project of the source's client.")

    class Meta:
        model = QueueMapping
        fields = ["id", "source", "queue", "project"]
        validators: list[Any] = []  # (source, queue) once: the database says so (409)

    def validate(self, attrs):
        source = attrs.get("source", getattr(self.instance, "source", None))
        project = attrs.get("project", getattr(self.instance, "project", None))
        if source is not None and project is not None and project.client_id != source.client_id:
            raise serializers.ValidationError(
                {"project": [_("The project must belong to the source's client.")]}
            )
        return attrs


class AgentMappingSerializer(serializers.ModelSerializer):
    # A field named like DRF's ``Field.source`` attribute: the metaclass takes it out of
    # the class, so only the type checker sees the clash.
    source = SourceField()  # type: ignore[assignment]
    operator = MappableOperatorField()

    class Meta:
        model = AgentMapping
        fields = ["id", "source", "kind", "name", "operator"]
        validators: list[Any] = []  # (source, kind, name) once: the database says so (409)


class ParkedCallSerializer(serializers.ModelSerializer):
    source: Any = serializers.SlugRelatedField(slug_field="code", read_only=True)
    parked_at = AwareDateTimeField(read_only=True)
    resolved_at = AwareDateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = ParkedCall
        fields = [
            "id",
            "source",
            "call_key",
            "reason",
            "missing",
            "payload",
            "file_name",
            "line_no",
            "parked_at",
            "resolved_at",
            "error",
        ]
        read_only_fields = fields
