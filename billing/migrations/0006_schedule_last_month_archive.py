"""Data migration: the daily beat entry that keeps last month's invoice archive current."""

from django.db import migrations

NAME = "Build last month's invoice archive"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    # 06:00 UTC, after the 03:15 invoice generation.
    daily, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="6",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="UTC",
    )
    PeriodicTask.objects.get_or_create(
        name=NAME, defaults={"task": "billing.build_last_month_archive", "crontab": daily}
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0005_schedule_generate_closed_months")]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
