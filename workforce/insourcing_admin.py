"""The in-house vs outsourcing calculator in the admin: the endpoint's arithmetic as a form.

Every input of ``POST /api/v1/staffing/in-house-vs-outsourcing/`` is a box prefilled with
its default (an example, not a fact); the page shows the comparison line by line with the
formula of each figure. The inputs are checked by the API's own serializer, so the page
and the API refuse the same things. Pure calculation, so any staff user may use it.
"""

import re

from django.contrib import admin
from django.template.response import TemplateResponse

from workforce import insourcing
from workforce.inputs import InsourcingInputSerializer

SECTIONS = (
    (insourcing.WORKLOAD, "Workload"),
    (insourcing.IN_HOUSE, "In-house, a month"),
    (insourcing.OUTSOURCED, "Outsourced, a month"),
)


def _shown(value):
    """A default as the box shows it: 60, 0.302, 60000.00; empty for None."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " ".join(_shown(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _submitted(query):
    """The query string as serializer data: empty boxes take their default (days_per_week:
    its automatic value), and several calls numbers become the 24-hour list."""
    data = {}
    for name in insourcing.INPUT_NAMES:
        text = query.get(name, "").strip()
        if name == "days_per_week" and name in query and not text:
            data[name] = None
        elif text and name == "calls_per_hour":
            parts = [part for part in re.split(r"[\s,;]+", text) if part]
            data[name] = parts[0] if len(parts) == 1 else parts
        elif text:
            data[name] = text
    return data


def _boxes(serializer, query):
    boxes = []
    for name, field in serializer.fields.items():
        errors = serializer.errors.get(name, []) if serializer.errors else []
        if isinstance(errors, dict):  # a bad item of the calls list, by index
            errors = [f"Hour {index}: {' '.join(messages)}" for index, messages in errors.items()]
        boxes.append(
            {
                "name": name,
                "label": name.replace("_", " ").capitalize(),
                "help_text": field.help_text or "",
                "value": query[name] if name in query else _shown(field.default),
                "choices": list(getattr(field, "choices", {}) or ()),
                "errors": errors,
            }
        )
    return boxes


def insourcing_view(request):
    serializer = InsourcingInputSerializer(data=_submitted(request.GET))
    context = {
        **admin.site.each_context(request),
        "title": "In-house vs outsourcing",
        "non_field_errors": [],
    }
    if serializer.is_valid():
        try:
            comparison = insourcing.compare(serializer.to_inputs())
        except insourcing.InsourcingInputError as exc:
            serializer._errors = {exc.field: [str(exc)]}
        else:
            context.update(
                {
                    "comparison": comparison,
                    "sections": [
                        (
                            title,
                            [line for line in comparison.lines if line.section == key],
                        )
                        for key, title in SECTIONS
                    ],
                }
            )
    context["boxes"] = _boxes(serializer, request.GET)
    if serializer.errors:
        context["non_field_errors"] = serializer.errors.get("non_field_errors", [])
    return TemplateResponse(request, "admin/staffing/insourcing.html", context)
