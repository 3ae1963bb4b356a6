"""The in-house vs outsourcing calculator in the admin: the endpoint's arithmetic as a form.

Every input of ``POST /api/v1/staffing/in-house-vs-outsourcing/`` is a box prefilled with
its default (an example, not a fact); the page shows the comparison line by line with the
formula of each figure. The inputs are checked by the API's own serializer, so the page
and the API refuse the same things. Pure calculation, so any staff user may use it.
"""

import re

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from workforce import insourcing
from workforce.inputs import InsourcingInputSerializer

SECTIONS = (
    (insourcing.WORKLOAD, gettext_lazy("Workload")),
    (insourcing.IN_HOUSE, gettext_lazy("In-house, a month")),
    (insourcing.OUTSOURCED, gettext_lazy("Outsourced, a month")),
)
# The boxes' labels and help (the API's field names and schema help stay English).
LABELS = {
    "calls_per_hour": gettext_lazy("Calls per hour"),
    "coverage": gettext_lazy("Coverage"),
    "open_hour": gettext_lazy("Open hour"),
    "close_hour": gettext_lazy("Close hour"),
    "days_per_week": gettext_lazy("Days per week"),
    "aht_seconds": gettext_lazy("AHT (s)"),
    "threshold_seconds": gettext_lazy("Answer within (s)"),
    "target_service_level": gettext_lazy("Target service level"),
    "shrinkage": gettext_lazy("Shrinkage"),
    "max_occupancy": gettext_lazy("Max occupancy"),
    "hours_per_fte_month": gettext_lazy("Hours per FTE a month"),
    "operator_salary": gettext_lazy("Operator salary"),
    "payroll_tax_rate": gettext_lazy("Payroll tax rate"),
    "workstation_per_seat": gettext_lazy("Workstation per seat"),
    "software_telephony_per_seat": gettext_lazy("Software and telephony per seat"),
    "agents_per_seat": gettext_lazy("Agents per seat"),
    "annual_turnover": gettext_lazy("Annual turnover"),
    "recruiting_cost_per_hire": gettext_lazy("Recruiting cost per hire"),
    "training_hours_per_hire": gettext_lazy("Training hours per hire"),
    "trainee_hourly_pay": gettext_lazy("Trainee hourly pay"),
    "operators_per_supervisor": gettext_lazy("Operators per supervisor"),
    "supervisor_salary": gettext_lazy("Supervisor salary"),
    "operators_per_qa": gettext_lazy("Operators per QA specialist"),
    "qa_salary": gettext_lazy("QA specialist salary"),
    "management_overhead_rate": gettext_lazy("Management overhead rate"),
    "price_per_minute": gettext_lazy("Price per minute"),
    "billable_share": gettext_lazy("Billable share"),
    "monthly_minimum": gettext_lazy("Monthly minimum"),
}
# The comparison's units as the page names them (the API keeps its unit codes).
HELP = {
    "calls_per_hour": gettext_lazy(
        "Expected calls per hour: one number for every covered hour, or 24 numbers, one per "
        "local hour 0..23 (hours outside coverage are ignored)."
    ),
    "coverage": gettext_lazy(
        "business_hours (open hour to close hour on the days a week) or 24/7."
    ),
    "open_hour": gettext_lazy("First covered hour."),
    "close_hour": gettext_lazy("Covered up to this hour: 18 covers 17:00-18:00 last."),
    "days_per_week": gettext_lazy("Covered days a week; empty: 5 for business hours, 7 for 24/7."),
    "aht_seconds": gettext_lazy("Average handle time, seconds."),
    "threshold_seconds": gettext_lazy("Service level: answered within T seconds."),
    "target_service_level": gettext_lazy("Share answered within T, 0..1."),
    "shrinkage": gettext_lazy("Share of paid time off the phones, 0 <= s < 1."),
    "max_occupancy": gettext_lazy("Highest occupancy A / N, 0 < x <= 1."),
    "hours_per_fte_month": gettext_lazy("Paid hours of one full-time operator a month."),
    "operator_salary": gettext_lazy("Monthly salary of an operator."),
    "payroll_tax_rate": gettext_lazy("Payroll taxes on every salary, e.g. 0.302."),
    "workstation_per_seat": gettext_lazy("Workstation a seat a month: space, PC, headset."),
    "software_telephony_per_seat": gettext_lazy("Software licences and telephony a seat a month."),
    "agents_per_seat": gettext_lazy("Seats = ceil(peak scheduled agents / this); 1: a seat each."),
    "annual_turnover": gettext_lazy("Operators replaced a year, as a share of the FTE."),
    "recruiting_cost_per_hire": gettext_lazy("Recruiting cost of a hire."),
    "training_hours_per_hire": gettext_lazy("Paid training hours of a new operator."),
    "trainee_hourly_pay": gettext_lazy("Pay of a trainee an hour."),
    "operators_per_supervisor": gettext_lazy("One supervisor per N FTE."),
    "supervisor_salary": gettext_lazy("Monthly salary of a supervisor."),
    "operators_per_qa": gettext_lazy("One QA specialist per N FTE."),
    "qa_salary": gettext_lazy("Monthly salary of a QA specialist."),
    "management_overhead_rate": gettext_lazy("Overhead on all in-house lines, e.g. 0.1."),
    "price_per_minute": gettext_lazy("Outsourced price of a billable minute."),
    "billable_share": gettext_lazy("Share of the handle time billed by the outsourcer, e.g. 0.85."),
    "monthly_minimum": gettext_lazy("Outsourced monthly minimum charge."),
}
CHOICES = {
    insourcing.BUSINESS_HOURS: gettext_lazy("business hours"),
    insourcing.ALWAYS_OPEN: gettext_lazy("24/7"),
}
UNITS = {
    "calls": gettext_lazy("calls"),
    "agents": gettext_lazy("agents"),
    "agent-hours": gettext_lazy("agent-hours"),
    "h": gettext_lazy("h"),
    "FTE": gettext_lazy("FTE"),
    "seats": gettext_lazy("seats"),
    "hires": gettext_lazy("hires"),
    "min": gettext_lazy("min"),
}


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
            errors = [
                _("Hour %(index)s: %(messages)s") % {"index": index, "messages": " ".join(messages)}
                for index, messages in errors.items()
            ]
        boxes.append(
            {
                "name": name,
                "label": LABELS.get(name, name.replace("_", " ").capitalize()),
                "help_text": HELP.get(name, field.help_text or ""),
                "value": query[name] if name in query else _shown(field.default),
                "choices": [
                    (choice, CHOICES.get(choice, choice))
                    for choice in getattr(field, "choices", {}) or ()
                ],
                "errors": errors,
            }
        )
    return boxes


def insourcing_view(request):
    serializer = InsourcingInputSerializer(data=_submitted(request.GET))
    context = {
        **admin.site.each_context(request),
        "title": _("In-house vs outsourcing"),
        "non_field_errors": [],
        # Russian totals read as money (1 030 678,66 ₽); English ones stay bare figures.
        "grouped_totals": (get_language() or "").startswith("ru"),
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
                            [
                                {
                                    "line": line,
                                    "unit": UNITS.get(line.unit, line.unit),
                                }
                                for line in comparison.lines
                                if line.section == key
                            ],
                        )
                        for key, title in SECTIONS
                    ],
                }
            )
    context["boxes"] = _boxes(serializer, request.GET)
    if serializer.errors:
        context["non_field_errors"] = serializer.errors.get("non_field_errors", [])
    return TemplateResponse(request, "admin/staffing/insourcing.html", context)
