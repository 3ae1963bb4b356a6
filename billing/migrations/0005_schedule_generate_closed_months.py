"""Data migration: the daily beat entry that generates each client's last closed month.

Editable in the admin (django_celery_beat). The job is idempotent: it rebuilds drafts and
leaves issued invoices alone, so running it every day is safe.
"""

from django.db import migrations

NAME = "Generate invoices of closed months"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    # 03:15 UTC: a month has closed by then from UTC-3 to UTC+14; clients further west
    # get theirs the next day (the job picks each client's latest closed month).
    daily, _ = CrontabSchedule.objects.get_or_create(
        minute="15",
        hour="3",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="UTC",
    )
    PeriodicTask.objects.get_or_create(
        name=NAME, defaults={"task": "billing.generate_closed_months", "crontab": daily}
    )


def delete_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0004_issued_invoice_guard"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
