"""The base of the catalogue endpoints: scoped rows, writes through services, one shape."""

from collections.abc import Sequence
from typing import Any

from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from projects.api.scoping import CatalogPermission, ScopedViewSetMixin


class CatalogViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """CRUD whose writes go through the app's services.

    A subclass declares ``scope_path`` and implements ``create_object(data)``,
    ``update_object(instance, data)`` and ``delete_object(instance)``, each one call of a
    service with the serializer's validated data. The answer re-reads the object through
    the scoped queryset, so it shows exactly what a later GET would.
    """

    permission_classes: Sequence[Any] = [IsAuthenticated, CatalogPermission]
    superuser_only_actions: tuple[str, ...] = ()
    # Explicit, so ?ordering= never sorts by a to-many field (which would repeat rows).
    ordering_fields: list[str] = []
    search_fields: list[str] = []

    def create_object(self, data):
        raise NotImplementedError

    def update_object(self, instance, data):
        raise NotImplementedError

    def delete_object(self, instance):
        raise NotImplementedError

    def _reread(self, obj):
        return self.get_queryset().get(pk=obj.pk)

    def perform_create(self, serializer):
        serializer.instance = self._reread(self.create_object(dict(serializer.validated_data)))

    def perform_update(self, serializer):
        obj = self.update_object(serializer.instance, dict(serializer.validated_data))
        serializer.instance = self._reread(obj)

    def perform_destroy(self, instance):
        self.delete_object(instance)
