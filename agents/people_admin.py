"""People in the admin: the operator's lifecycle (a status page and the history inline on
the operator) and training (courses, enrolments in progress with their ready dates).

Every write goes through ``agents.lifecycle`` and ``agents.training``, as in the API.
Training is scoped to the projects a user trains on (``TRAINER``: trainers and managers).
"""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from agents import lifecycle, training
from agents.models import (
    DismissalReason,
    Operator,
    OperatorStatusChange,
    TrainingEnrolment,
    TrainingProgram,
)
from contactcenter.errors import DomainError
from projects.admin import ProjectCodeFilter
from projects.admin_scoping import ScopedAdminMixin
from projects.tenancy import TRAINER, visible_projects


def error_text(exc):
    reasons = "; ".join(str(m) for ms in exc.details.values() for m in ms)
    return f"{exc.message} {reasons}".strip()


class OperatorStatusChangeInline(admin.TabularInline):
    """The lifecycle history, read-only: moves are made on the status page."""

    model = OperatorStatusChange
    extra = 0
    can_delete = False
    fields = ("effective_on", "from_status", "to_status", "reason", "note", "changed_by")
    readonly_fields = fields
    ordering = ["effective_on", "id"]
    verbose_name_plural = _("Lifecycle history")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")


class StatusMoveForm(forms.Form):
    to_status = forms.ChoiceField(label=_("To status"), choices=Operator.Status.choices)
    on = forms.DateField(
        label=_("On"),
        initial=timezone.localdate,
        help_text=_("YYYY-MM-DD; a dismissal: the last day worked."),
    )
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", "---------"), *DismissalReason.choices],
        required=False,
        help_text=_("Only for a dismissal, and then required."),
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


def operator_status_view(model_admin, request, operator_id):
    """GET: the move form and the allowed moves; POST: make the move."""
    operator = get_object_or_404(Operator, pk=operator_id)
    if not model_admin.has_change_permission(request, operator):
        return redirect("admin:agents_operator_change", operator.pk)
    form = StatusMoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            change = lifecycle.operator_move(
                operator=operator, by=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            messages.error(request, error_text(exc))
        else:
            deleted = getattr(change, "deleted_shifts", 0)
            moved = f"{operator.code}: {change.get_from_status_display()} -> "
            moved += f"{change.get_to_status_display()}."
            if deleted:
                moved += " " + ngettext(
                    "%(count)s later shift deleted.", "%(count)s later shifts deleted.", deleted
                ) % {"count": deleted}
            messages.success(request, moved)
            return redirect("admin:agents_operator_change", operator.pk)
    allowed = [to for (frm, to) in lifecycle.MOVES if frm == operator.status]
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("Change the status of %(operator)s") % {"operator": operator},
        "operator": operator,
        "opts": Operator._meta,
        "form": form,
        "allowed": [Operator.Status(to).label for to in allowed],
        "history": operator.status_changes.select_related("changed_by").order_by(
            "effective_on", "id"
        ),
    }
    return TemplateResponse(request, "admin/people/operator_status.html", context)


@admin.register(TrainingProgram)
class TrainingProgramAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "project"
    scope_role = TRAINER
    list_display = ["name", "project", "hours", "hours_per_day", "passing_score", "is_active"]
    list_filter = ["is_active", ("project", ProjectCodeFilter)]
    list_select_related = ["project"]
    search_fields = ["name", "project__code"]

    def save_model(self, request, obj, form, change):
        # The service checks; a refused save shows its reason instead of a 500.
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            if change:
                training.program_update(program=obj, **fields)
            else:
                saved = training.program_create(**form.cleaned_data)
                obj.pk = saved.pk
        except DomainError as exc:
            messages.error(request, error_text(exc))


class EnrolmentForm(forms.ModelForm):
    class Meta:
        model = TrainingEnrolment
        fields = ["operator", "program", "started_on", "trainer", "note", "score", "completed_on"]
        help_texts = {
            "score": _("0-100. Recording it passes (and certifies) or fails the operator."),
            "completed_on": _("The day of the test; default today."),
        }

    score = forms.IntegerField(label=_("score"), min_value=0, max_value=100, required=False)

    def clean(self):
        # The services' own rules, asked before saving so a refusal shows on the form.
        data = super().clean()
        if self.instance.pk is None:
            if data.get("operator") and data.get("program"):
                refusal = training.enrolment_refusal(
                    operator=data["operator"], program=data["program"]
                )
                if refusal is not None:
                    raise forms.ValidationError(error_text(refusal))
        elif data.get("score") is not None:
            on = data.get("completed_on") or timezone.localdate()
            refusal = training.finish_date_refusal(self.instance, on)
            if refusal is not None:
                self.add_error("completed_on", error_text(refusal))
        return data


class InProgressFilter(admin.SimpleListFilter):
    """Open enrolments first: the question a PM asks is who is still in training."""

    title = _("progress")
    parameter_name = "progress"

    def lookups(self, request, model_admin):
        return [("open", _("In progress")), ("done", _("Finished"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(status=TrainingEnrolment.Status.ENROLLED)
        if self.value() == "done":
            return queryset.exclude(status=TrainingEnrolment.Status.ENROLLED)
        return queryset


@admin.register(TrainingEnrolment)
class TrainingEnrolmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "program__project"
    scope_role = TRAINER
    form = EnrolmentForm
    list_display = [
        "operator",
        "program",
        "project",
        "started_on",
        "expected_ready_on",
        "status",
        "score",
        "completed_on",
        "trainer",
    ]
    list_filter = [InProgressFilter, "status", ("program__project", ProjectCodeFilter)]
    list_select_related = ["operator", "program__project", "trainer"]
    search_fields = ["operator__code", "operator__full_name", "program__name"]
    autocomplete_fields = ["operator"]
    ordering = ["expected_ready_on", "operator__code"]
    date_hierarchy = "expected_ready_on"
    actions = ["withdraw_today"]

    @admin.display(description=_("project"), ordering="program__project__code")
    def project(self, enrolment):
        return enrolment.program.project.code

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["expected_ready_on", "status"]
        readonly = ["operator", "program", "started_on", "expected_ready_on", "status"]
        if obj.status != TrainingEnrolment.Status.ENROLLED:
            readonly += ["score", "completed_on", "trainer"]
        return readonly

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["operator", "program", "started_on", "trainer", "note", "expected_ready_on"]
        return [
            "operator",
            "program",
            "started_on",
            "expected_ready_on",
            "status",
            "trainer",
            "note",
            "score",
            "completed_on",
        ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "program":
            kwargs["queryset"] = TrainingProgram.objects.filter(
                project__in=visible_projects(request.user, TRAINER), is_active=True
            ).select_related("project")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if not change:
                saved = training.enrolment_create(
                    operator=data["operator"],
                    program=data["program"],
                    started_on=data["started_on"],
                    trainer=data.get("trainer") or request.user,
                    note=data.get("note", ""),
                    by=request.user,
                )
                obj.pk = saved.pk
                return
            TrainingEnrolment.objects.filter(pk=obj.pk).update(
                note=data.get("note", obj.note), trainer=data.get("trainer", obj.trainer)
            )
            if data.get("score") is not None:
                training.enrolment_record_result(
                    enrolment=obj,
                    score=data["score"],
                    on=data.get("completed_on") or timezone.localdate(),
                    by=request.user,
                )
        except DomainError as exc:
            messages.error(request, error_text(exc))

    @admin.action(description=_("Withdraw the selected enrolments (today)"))
    def withdraw_today(self, request, queryset):
        done = 0
        for enrolment in queryset.filter(status=TrainingEnrolment.Status.ENROLLED):
            try:
                training.enrolment_withdraw(
                    enrolment=enrolment, on=timezone.localdate(), by=request.user
                )
            except DomainError as exc:
                messages.error(request, f"{enrolment}: {error_text(exc)}")
            else:
                done += 1
        withdrawn = ngettext(
            "%(count)s enrolment withdrawn.", "%(count)s enrolments withdrawn.", done
        )
        messages.success(request, withdrawn % {"count": done})
