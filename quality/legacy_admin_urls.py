"""The QA admin's old URLs, from when its models were the calls app's: each redirects to
the same page under ``/admin/quality/``, so bookmarks and links in e-mails keep working.

Included by the URL root under ``admin/calls/``, before the admin's own URLs; every other
``/admin/calls/...`` URL (calls, contacts) falls through to the admin. A 308 keeps the
method and body, so a form posted to an old URL lands as the same POST.
"""

from django.http.response import HttpResponseRedirectBase
from django.urls import re_path

# The models that moved (their admin URLs carry the model name).
MOVED = (
    "scorecard",
    "scorecardcriterion",
    "evaluation",
    "evaluationanswer",
    "evaluationdispute",
    "qasample",
)


class PermanentRedirectKeepingMethod(HttpResponseRedirectBase):
    status_code = 308


def to_quality(request, model: str, rest: str) -> PermanentRedirectKeepingMethod:
    """``/admin/calls/<model>/<rest>`` -> ``/admin/quality/<model>/<rest>``, query kept."""
    query = request.META.get("QUERY_STRING", "")
    target = f"{request.path[: -len(f'calls/{model}/{rest}')]}quality/{model}/{rest}"
    return PermanentRedirectKeepingMethod(f"{target}?{query}" if query else target)


urlpatterns = [
    re_path(
        rf"^(?P<model>{'|'.join(MOVED)})/(?P<rest>.*)$", to_quality, name="quality_legacy_admin"
    ),
]
