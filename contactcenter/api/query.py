"""Unknown query parameters of a list are a 400 naming them, not silently ignored.

A misspelt filter (``calls/?client=acme`` where the filter is ``project``) would otherwise
answer every row, as if it had matched. The known parameters are exactly those the OpenAPI
schema documents for the list: its filter backends' (the filterset's fields, ``search``,
``ordering``), its paginator's (``page``, ``page_size``, ``cursor``) and ``format``.
"""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework.settings import api_settings

from contactcenter.errors import DomainError


def known_list_parameters(view) -> frozenset[str]:
    """The query parameters ``view``'s list takes, as its schema documents them."""
    names = {api_settings.URL_FORMAT_OVERRIDE}
    for backend_class in getattr(view, "filter_backends", ()):
        backend = backend_class()
        if hasattr(backend, "get_filterset_class"):  # django-filter: the filterset's fields
            filterset = backend.get_filterset_class(view, view.get_queryset())
            names.update(filterset.base_filters if filterset is not None else ())
        else:
            names.update(param["name"] for param in backend.get_schema_operation_parameters(view))
    paginator = getattr(view, "paginator", None)
    if paginator is not None:
        names.update(param["name"] for param in paginator.get_schema_operation_parameters(view))
    return frozenset(names)


class StrictListQueryMixin:
    """A view's ``list`` refuses query parameters it does not know (400, one error each)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if getattr(self, "action", None) != "list":
            return
        known = known_list_parameters(self)
        unknown = sorted(name for name in request.query_params if name not in known)
        if unknown:
            message = _("Unknown parameter. This list takes: %(known)s.") % {
                "known": ", ".join(sorted(known))
            }
            raise DomainError(
                ngettext(
                    "Unknown query parameter: %(names)s.",
                    "Unknown query parameters: %(names)s.",
                    len(unknown),
                )
                % {"names": ", ".join(unknown)},
                details={name: [message] for name in unknown},
            )
