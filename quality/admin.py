"""Admin of the QA room: scorecards (versions), evaluations with the call's recording
player, disputes and the weekly samples. Open to the QA evaluators of a project
(``scope_role = QA_EVALUATOR``) and its managers; billing stays closed to evaluators."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from calls.models import Call
from contactcenter.errors import DomainError
from contactcenter.l10n import local_time_text, number_text
from projects.admin import ScopedProjectFilter
from projects.admin_scoping import ScopedAdminMixin
from projects.admin_time import LocalTimeAdminMixin, local_time_display
from projects.tenancy import QA_EVALUATOR, visible_projects
from quality import services as quality_services
from quality.models import (
    Evaluation,
    EvaluationAnswer,
    EvaluationDispute,
    QaSample,
    Scorecard,
    ScorecardCriterion,
)


def _validation_error(error, fields=("call", "scorecard")):
    """A service's ``DomainError`` as a form error, on the form's fields it names."""
    named = {name: messages for name, messages in error.details.items() if name in fields}
    return ValidationError(named or error.message)


# --- Scorecards -----------------------------------------------------------------------------


class CriterionInline(admin.TabularInline):
    model = ScorecardCriterion
    fields = ["order", "name", "weight", "is_critical", "description"]
    extra = 0

    # A version with evaluations is frozen: its criteria show, read-only.
    def _editable(self, obj):
        return obj is None or not quality_services.scorecard_is_frozen(obj)

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


@admin.register(Scorecard)
class ScorecardAdmin(LocalTimeAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "project"
    scope_role = QA_EVALUATOR
    list_display = ["name", "project", "version", "is_active", "valid_from", "created_local"]
    list_filter = ["is_active", ("project", ScopedProjectFilter)]
    list_select_related = ["project"]
    search_fields = ["name"]
    inlines = [CriterionInline]
    actions = ["make_new_version"]
    readonly_fields = ["version"]
    created_local = local_time_display("created_at", _("created at"))

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and quality_services.scorecard_is_frozen(obj):
            return ["project", "name", "valid_from", "version", "created_local"]
        if obj is not None:
            return ["project", "name", "version", "created_local"]
        return self.readonly_fields

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        if not change:
            obj.version = quality_services.scorecard_next_version(
                project=obj.project, name=obj.name
            )
            obj.is_active = True
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Make a new version of the selected scorecards (copy)"))
    def make_new_version(self, request, queryset):
        for scorecard in queryset:
            criteria = [
                {
                    "name": c.name,
                    "description": c.description,
                    "weight": c.weight,
                    "is_critical": c.is_critical,
                    "order": c.order,
                }
                for c in scorecard.criteria.all()
            ]
            new = quality_services.scorecard_revise(scorecard=scorecard, criteria=criteria)
            made = gettext("%(scorecard)s made; edit its criteria, then evaluations use it.")
            self.message_user(request, made % {"scorecard": new}, messages.INFO)


# --- Evaluations ----------------------------------------------------------------------------


class AnswerInline(admin.TabularInline):
    """One row per criterion of the evaluation's scorecard; editable while a draft, and
    while disputed (the resolver's changes, applied by overturning the dispute)."""

    model = EvaluationAnswer
    fields = ["criterion", "answer", "comment"]
    can_delete = False

    def _editable(self, obj):
        return obj is not None and obj.status in (
            Evaluation.Status.DRAFT,
            Evaluation.Status.DISPUTED,
        )

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def get_extra(self, request, obj=None, **kwargs):
        if obj is None:
            return 0
        return obj.scorecard.criteria.exclude(answers__evaluation=obj).count()

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is None:
            return formset
        missing = list(
            obj.scorecard.criteria.exclude(answers__evaluation=obj).values_list("pk", flat=True)
        )
        criteria = obj.scorecard.criteria.all()

        class Formset(formset):
            def __init__(self, *args, **inner):
                inner.setdefault("initial", [{"criterion": pk} for pk in missing])
                super().__init__(*args, **inner)
                for form in self.forms:
                    if "criterion" in form.fields:
                        form.fields["criterion"].queryset = criteria

        return Formset


class EvaluationAddForm(forms.ModelForm):
    class Meta:
        model = Evaluation
        fields = ["call", "scorecard", "comment"]

    def clean(self):
        cleaned = super().clean()
        call = cleaned.get("call")
        if call is not None:
            try:
                cleaned["scorecard"] = quality_services.evaluation_check(
                    call=call, scorecard=cleaned.get("scorecard")
                )
            except DomainError as error:
                raise _validation_error(error) from error
            self.instance.scorecard = cleaned["scorecard"]
        return cleaned


@admin.register(Evaluation)
class EvaluationAdmin(LocalTimeAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "call__project"
    scope_role = QA_EVALUATOR
    local_time_project_param = "call__project__id__exact"
    local_time_zone_lookup = "call__project__timezone"
    change_form_template = "admin/quality/evaluation/change_form.html"
    list_display = [
        "id",
        "call",
        "project",
        "operator",
        "scorecard",
        "evaluator",
        "status",
        "score",
        "critical_failed",
        "submitted_local",
    ]
    list_filter = ["status", "critical_failed", ("call__project", ScopedProjectFilter)]
    list_select_related = ["call__project", "call__operator", "scorecard", "evaluator"]
    search_fields = ["=call__external_id", "=call__operator__code"]
    date_hierarchy = "created_at"
    raw_id_fields = ["call"]
    inlines = [AnswerInline]
    call_facts = [
        "player",
        "call_project",
        "call_operator",
        "call_offered_at",
        "call_answered_at",
        "call_ended_at",
        "call_talk_seconds",
        "call_disposition",
    ]
    record = ["scorecard", "evaluator", "status", "score", "critical_failed", "submitted_local"]
    submitted_local = local_time_display(
        "submitted_at", _("submitted at"), zone_path="call.project.timezone"
    )

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = EvaluationAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["call", "scorecard", "comment"]})]
        return [
            (_("The call"), {"fields": self.call_facts}),
            (_("Evaluation"), {"fields": [*self.record, "comment"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        fields = [*self.call_facts, *self.record]
        return fields if obj.status == Evaluation.Status.DRAFT else [*fields, "comment"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "call":  # a raw id: any number may be typed, so cut it here
            kwargs["queryset"] = Call.objects.filter(
                project__in=visible_projects(request.user, QA_EVALUATOR)
            )
        if db_field.name == "scorecard":
            kwargs["queryset"] = Scorecard.objects.filter(
                project__in=visible_projects(request.user, QA_EVALUATOR), is_active=True
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.evaluator = request.user
        super().save_model(request, obj, form, change)

    def response_change(self, request, obj):
        if "_submit_evaluation" in request.POST:
            try:
                quality_services.evaluation_submit(evaluation=obj, user=request.user)
            except DomainError as error:
                refused = gettext("Not submitted: %(reason)s") % {"reason": error.message}
                self.message_user(request, refused, messages.ERROR)
                return HttpResponseRedirect(request.path)
            obj.refresh_from_db()
            submitted = gettext("Submitted: score %(score)s.") % {
                "score": number_text(obj.score, 2)
            }
            self.message_user(request, submitted, messages.SUCCESS)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    @admin.display(description=_("recording"))
    def player(self, evaluation):
        url = evaluation.call.recording_url
        if not url:
            return format_html(
                '<span class="qa-no-recording">{}</span>', gettext("No recording for this call.")
            )
        return format_html(
            '<audio controls preload="none" src="{}" class="qa-player"></audio>'
            '<br><a href="{}" rel="noopener">{}</a>',
            url,
            url,
            url,
        )

    @admin.display(description=_("project"), ordering="call__project__code")
    def project(self, evaluation):
        return evaluation.call.project.code

    @admin.display(description=_("operator"), ordering="call__operator__code")
    def operator(self, evaluation):
        return evaluation.call.operator.code if evaluation.call.operator else "-"

    @admin.display(description=_("project"))
    def call_project(self, evaluation):
        project = evaluation.call.project
        return f"{project.name} ({project.code})"

    @admin.display(description=_("operator"))
    def call_operator(self, evaluation):
        operator = evaluation.call.operator
        return f"{operator.code} ({operator.full_name})" if operator else "-"

    # The call's instants in its project's zone, the zone named (docs/i18n.md).
    @admin.display(description=_("offered"))
    def call_offered_at(self, evaluation):
        return local_time_text(evaluation.call.offered_at, evaluation.call.project.timezone)

    @admin.display(description=_("answered"))
    def call_answered_at(self, evaluation):
        return local_time_text(evaluation.call.answered_at, evaluation.call.project.timezone) or "-"

    @admin.display(description=_("ended"))
    def call_ended_at(self, evaluation):
        return local_time_text(evaluation.call.ended_at, evaluation.call.project.timezone) or "-"

    @admin.display(description=_("talk seconds"))
    def call_talk_seconds(self, evaluation):
        return evaluation.call.talk_seconds

    @admin.display(description=_("disposition"))
    def call_disposition(self, evaluation):
        return evaluation.call.disposition or "-"


# --- Disputes -------------------------------------------------------------------------------


class DisputeResolveForm(forms.ModelForm):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("upheld", _("Upheld: the score stands")),
            ("overturned", _("Overturned: recompute from the evaluation's answers as edited")),
        ],
    )

    class Meta:
        model = EvaluationDispute
        fields = ["resolution_comment"]

    def clean(self):
        cleaned = super().clean()
        dispute = self.instance
        try:
            quality_services.dispute_check_resolve(
                dispute=dispute,
                evaluation=dispute.evaluation,
                user=self.request.user,
                outcome=cleaned.get("outcome"),
                comment=cleaned.get("resolution_comment"),
            )
        except DomainError as error:
            raise ValidationError(error.message) from error
        return cleaned


@admin.register(EvaluationDispute)
class EvaluationDisputeAdmin(LocalTimeAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "evaluation__call__project"
    scope_role = QA_EVALUATOR
    local_time_project_param = "evaluation__call__project__id__exact"
    local_time_zone_lookup = "evaluation__call__project__timezone"
    list_display = [
        "id",
        "evaluation",
        "status",
        "raised_by",
        "raised_local",
        "score_before",
        "score_after",
        "resolved_by",
        "resolved_local",
    ]
    list_filter = ["status"]
    list_select_related = [
        "evaluation__call__project",
        "evaluation__scorecard",
        "raised_by",
        "resolved_by",
    ]
    facts = ["evaluation", "raised_by", "raised_local", "reason", "score_before"]
    resolution = ["status", "score_after", "resolved_by", "resolution_comment", "resolved_local"]
    raised_local = local_time_display(
        "raised_at", _("raised at"), zone_path="evaluation.call.project.timezone"
    )
    resolved_local = local_time_display(
        "resolved_at", _("resolved at"), zone_path="evaluation.call.project.timezone"
    )

    def has_add_permission(self, request):
        return False  # raised through the API by the supervisor (or a manager)

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None and obj.status == EvaluationDispute.Status.OPEN:
            kwargs["form"] = DisputeResolveForm
            kwargs["fields"] = ["outcome", "resolution_comment"]
        form = super().get_form(request, obj, **kwargs)
        form.request = request
        return form

    def get_fieldsets(self, request, obj=None):
        if obj is not None and obj.status == EvaluationDispute.Status.OPEN:
            return [
                (None, {"fields": self.facts}),
                (_("Resolve"), {"fields": ["outcome", "resolution_comment"]}),
            ]
        return [(None, {"fields": self.facts}), (_("Resolution"), {"fields": self.resolution})]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status == EvaluationDispute.Status.OPEN:
            return self.facts
        return [*self.facts, *self.resolution]

    def save_model(self, request, obj, form, change):
        if "outcome" in form.cleaned_data:
            quality_services.dispute_resolve(
                dispute=obj,
                user=request.user,
                outcome=form.cleaned_data["outcome"],
                comment=form.cleaned_data["resolution_comment"],
            )
            obj.refresh_from_db()


# --- Samples --------------------------------------------------------------------------------


@admin.register(QaSample)
class QaSampleAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """The weekly picks: a work queue, read-only (the job writes it)."""

    scope_path = "project"
    scope_role = QA_EVALUATOR
    list_display = [
        "call",
        "project",
        "operator",
        "week_start",
        "reason",
        "assigned_to",
        "evaluation",
        "seed",
    ]
    list_filter = ["reason", "week_start", ("project", ScopedProjectFilter)]
    list_select_related = ["call__project", "project", "operator", "assigned_to", "evaluation"]
    search_fields = ["=call__external_id", "=operator__code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
