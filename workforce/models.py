"""Weeks of schedules built on the scheduling page, as versions (docs/scheduling.md).

A ``ScheduleWeek`` is one build of a set of projects' week: a draft the PM reviews and edits,
then published (its ``ScheduledShift`` rows become ``agents.Shift`` rows, linked), then
superseded when a later version of the same projects and week is published. The rows of
a version are kept as they were published, so two versions compare shift by shift.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agents.models import Operator, Shift
from projects.models import Project


class ScheduleWeek(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("schedule", "Draft")
        PUBLISHED = "published", pgettext_lazy("schedule", "Published")
        SUPERSEDED = "superseded", pgettext_lazy("schedule", "Superseded")

    projects = models.ManyToManyField(
        Project, related_name="schedule_weeks", verbose_name=_("projects")
    )
    # The sorted project codes, comma-joined: the versions of one week share it.
    scope = models.CharField(_("projects (codes)"), max_length=255)
    week_start = models.DateField(_("week from"))
    timezone = models.CharField(_("time zone"), max_length=64)
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    # Agents per 15-minute interval per project code (672 each), from the forecast.
    requirements = models.JSONField(_("requirements"), default=dict)
    shrinkage = models.DecimalField(_("shrinkage"), max_digits=4, decimal_places=3)
    solver_status = models.CharField(_("solver status"), max_length=16, blank=True)
    solve_seconds = models.DecimalField(
        _("solve time, seconds"), max_digits=7, decimal_places=2, default=0
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("built by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["-week_start", "scope", "-version"]
        verbose_name = _("schedule week")
        verbose_name_plural = _("schedule weeks")
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "week_start", "version"], name="schedule_week_version_unique"
            ),
            # At most one published version of a week at a time.
            models.UniqueConstraint(
                fields=["scope", "week_start"],
                condition=Q(status="published"),
                name="schedule_week_one_published",
            ),
        ]

    def __str__(self):
        return f"{self.scope} {self.week_start:%Y-%m-%d} v{self.version}"


class ScheduledShift(models.Model):
    """One shift of a version: what the solver (or the PM's edit) planned."""

    week = models.ForeignKey(
        ScheduleWeek, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("week")
    )
    operator = models.ForeignKey(
        Operator, on_delete=models.CASCADE, related_name="+", verbose_name=_("operator")
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("project"),
    )
    template = models.CharField(_("template"), max_length=64, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    lunch_starts_at = models.DateTimeField(_("lunch from"), null=True, blank=True)
    lunch_ends_at = models.DateTimeField(_("lunch to"), null=True, blank=True)
    # The stored shift once published; emptied if that shift is deleted elsewhere.
    shift = models.ForeignKey(
        Shift,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shift"),
    )

    class Meta:
        ordering = ["starts_at", "operator"]
        verbose_name = _("scheduled shift")
        verbose_name_plural = _("scheduled shifts")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")), name="scheduled_shift_starts_before_end"
            ),
        ]

    def __str__(self):
        return f"{self.operator_id} {self.starts_at:%Y-%m-%d %H:%M}"
