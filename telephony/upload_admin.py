"""The "Import CDR" admin page: a PBX's CDR file uploaded by hand, with a dry run, and what
the import did (``telephony.cdr_import``; docs/telephony-cdr.md).

Reached from a telephony source's change page (its object tool passes ``?source=ID``).
Staff only (``admin_view``); a superuser picks any source, other staff the sources of the
clients whose projects they manage, as the API's CSV import.
"""

from django import forms
from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from contactcenter.errors import DomainError
from projects.models import Project
from projects.tenancy import visible_projects
from telephony.cdr_import import (
    ASTERISK_CSV,
    FREESWITCH_CSV,
    GENERIC_CSV,
    MAX_FILE_BYTES,
    SOURCE_KIND,
    cdr_import,
)
from telephony.models import ParkedCall, TelephonySource

FORMAT_CHOICES = (
    (ASTERISK_CSV, _("Asterisk CDR (Master.csv)")),
    (FREESWITCH_CSV, _("FreeSWITCH CDR (mod_cdr_csv)")),
    (GENERIC_CSV, _("Generic CSV")),
)
FORMAT_OF_KIND = {kind: fmt for fmt, kind in SOURCE_KIND.items()}


def _sources(user):
    sources = TelephonySource.objects.select_related("client")
    if user.is_superuser:
        return sources
    return sources.filter(client__in=visible_projects(user).values("client"))


def _projects(user):
    return Project.objects.all() if user.is_superuser else visible_projects(user)


class CdrUploadForm(forms.Form):
    source = forms.ModelChoiceField(
        queryset=TelephonySource.objects.none(), label=_("Telephony source")
    )
    format = forms.ChoiceField(choices=FORMAT_CHOICES, label=_("File format"))
    project = forms.ModelChoiceField(
        queryset=Project.objects.none(),
        required=False,
        label=_("Project"),
        help_text=_("Every call goes to this project. Empty: the source's queue mappings decide."),
    )
    file = forms.FileField(label=_("CDR file"), help_text=_("At most 50 MB."))
    dry_run = forms.BooleanField(
        required=False, initial=True, label=_("Dry run: check and count, store nothing")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = _sources(user)
        self.fields["project"].queryset = _projects(user).order_by("code")

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("Larger than 50 MB: split the file."))
        return file

    def clean(self):
        data = super().clean()
        source, project = data.get("source"), data.get("project")
        if source and project and project.client_id != source.client_id:
            self.add_error("project", _("This project is not of the source's client."))
        return data


def import_cdr_view(request):
    user = request.user
    result = None
    if request.method == "POST":
        form = CdrUploadForm(request.POST, request.FILES, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = cdr_import(
                    source=data["source"],
                    data=data["file"].read(MAX_FILE_BYTES + 1),
                    fmt=data["format"],
                    project=data["project"],
                    file_name=data["file"].name,
                    dry_run=data["dry_run"],
                    allowed_project_ids=None
                    if user.is_superuser
                    else set(visible_projects(user).values_list("pk", flat=True)),
                )
            except DomainError as error:
                form.add_error(None, error.message)
    else:
        initial = {"dry_run": True}
        source = _sources(user).filter(pk=request.GET.get("source") or None).first()
        if source is not None:
            initial.update(source=source, format=FORMAT_OF_KIND.get(source.kind, ASTERISK_CSV))
        form = CdrUploadForm(initial=initial, user=user)
    context = {
        **admin.site.each_context(request),
        "title": _("Import CDR"),
        "form": form,
        "result": result,
        "parked_rows": [
            {"reason": ParkedCall.Reason(reason).label, "missing": missing, "calls": count}
            for (reason, missing), count in sorted(result.parked.items())
        ]
        if result
        else [],
    }
    return TemplateResponse(request, "admin/telephony/import_cdr.html", context)
