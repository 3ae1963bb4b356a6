"""Erasure of callers' data: the ``erased`` flag on calls and the record of each erasure.

``caller_erased`` has a database default, so adding it rewrites no row of the calls table
and the ingestion's COPY (which names its columns) needs no change."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('calls', '0010_call_bounds'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ErasureRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
                ('actor_name', models.CharField(blank=True, help_text="The actor's username then; kept if the user goes.", max_length=150)),
                ('reason', models.CharField(choices=[('request', 'Erasure request'), ('retention', 'Retention period')], max_length=16)),
                ('all_projects', models.BooleanField(help_text="A superuser's or the system's: every project.")),
                ('project_codes', models.JSONField(blank=True, default=list, help_text='The projects in scope, when not all of them.')),
                ('phone_digest', models.CharField(blank=True, help_text='HMAC-SHA256 of the E.164 number (requests only).', max_length=64)),
                ('cutoff', models.DateTimeField(blank=True, help_text='Retention: calls offered before this instant.', null=True)),
                ('calls_pseudonymized', models.PositiveIntegerField(default=0)),
                ('contacts_deleted', models.PositiveIntegerField(default=0)),
                ('recordings_unlinked', models.PositiveIntegerField(default=0)),
            ],
            options={
                'ordering': ['-at', '-id'],
            },
        ),
        migrations.AddField(
            model_name='call',
            name='caller_erased',
            field=models.BooleanField(db_default=False, default=False, help_text="The caller's number was erased (a request or the retention period)."),
        ),
        migrations.AddIndex(
            model_name='call',
            index=models.Index(condition=models.Q(('caller', ''), _negated=True), fields=['caller'], name='call_caller_idx'),
        ),
        migrations.AddConstraint(
            model_name='call',
            constraint=models.CheckConstraint(condition=models.Q(('caller_erased', False), models.Q(('caller', ''), ('recording_url', '')), _connector='OR'), name='call_erased_caller_blank'),
        ),
        migrations.AddField(
            model_name='erasurerecord',
            name='actor',
            field=models.ForeignKey(blank=True, help_text='Empty: the system (the retention job).', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddIndex(
            model_name='erasurerecord',
            index=models.Index(condition=models.Q(('reason', 'request')), fields=['phone_digest'], name='erasure_record_digest_idx'),
        ),
        migrations.AddConstraint(
            model_name='erasurerecord',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('reason', 'request'), models.Q(('phone_digest', ''), _negated=True), ('cutoff__isnull', True)), models.Q(('reason', 'retention'), ('phone_digest', ''), ('cutoff__isnull', False)), _connector='OR'), name='erasure_record_reason_fields'),
        ),
    ]
