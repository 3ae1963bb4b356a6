"""The QA models, moved from the calls app without moving data (issue 14).

State only: the tables were made by ``calls/migrations/0007_quality.py`` and keep their
names (``db_table``), so no row, index, constraint or sequence is touched. The models'
content types are relabelled ``calls`` -> ``quality`` in place, so their ids stay: the
permissions (and the groups holding them, ``projects.roles``), the admin log and the audit
log keep pointing at the same rows.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = (
    "scorecard",
    "scorecardcriterion",
    "evaluation",
    "evaluationanswer",
    "evaluationdispute",
    "qasample",
)


def _relabel(apps, old_label, new_label):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for model in MOVED:
        old = ContentType.objects.filter(app_label=old_label, model=model).first()
        if old is None:
            continue  # a fresh database: post_migrate creates the content type afresh
        clash = ContentType.objects.filter(app_label=new_label, model=model).first()
        if clash is not None:
            # Made by an earlier partial migrate; the old row wins, its id is referenced.
            Permission.objects.filter(content_type=clash).delete()
            clash.delete()
        old.app_label = new_label
        old.save(update_fields=["app_label"])


def content_types_to_quality(apps, schema_editor):
    _relabel(apps, "calls", "quality")


def content_types_to_calls(apps, schema_editor):
    _relabel(apps, "quality", "calls")



class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('agents', '0005_backfill_operator_history'),
        ('calls', '0013_quality_moved_out'),
        ('projects', '0003_project_qa_evaluators_trainers'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Scorecard',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=120)),
                        ('version', models.PositiveIntegerField(default=1)),
                        ('is_active', models.BooleanField(default=True, help_text='The version new evaluations and the sampling job use.')),
                        ('valid_from', models.DateField(help_text='Local date of the project from which it applies.')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('project', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='scorecards', to='projects.project')),
                    ],
                    options={
                        'db_table': 'calls_scorecard',
                        'ordering': ['project', 'name', '-version'],
                    },
                ),
                migrations.CreateModel(
                    name='Evaluation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('disputed', 'Disputed'), ('final', 'Final')], default='draft', max_length=10)),
                        ('score', models.DecimalField(blank=True, decimal_places=2, max_digits=5, null=True)),
                        ('critical_failed', models.BooleanField(default=False)),
                        ('comment', models.TextField(blank=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('submitted_at', models.DateTimeField(blank=True, null=True)),
                        ('call', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='evaluations', to='calls.call')),
                        ('evaluator', models.ForeignKey(blank=True, help_text='Who scores it: assigned by the sampling job, or the submitter.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='qa_evaluations', to=settings.AUTH_USER_MODEL)),
                        ('scorecard', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='evaluations', to='quality.scorecard')),
                    ],
                    options={
                        'db_table': 'calls_evaluation',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='ScorecardCriterion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200)),
                        ('description', models.TextField(blank=True)),
                        ('weight', models.PositiveIntegerField()),
                        ('is_critical', models.BooleanField(default=False)),
                        ('order', models.PositiveIntegerField(default=0)),
                        ('scorecard', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='criteria', to='quality.scorecard')),
                    ],
                    options={
                        'db_table': 'calls_scorecardcriterion',
                        'ordering': ['scorecard', 'order', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='EvaluationAnswer',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('answer', models.CharField(choices=[('met', 'Met'), ('not_met', 'Not met'), ('na', 'N/A')], max_length=8)),
                        ('comment', models.TextField(blank=True)),
                        ('evaluation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='answers', to='quality.evaluation')),
                        ('criterion', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='answers', to='quality.scorecardcriterion')),
                    ],
                    options={
                        'db_table': 'calls_evaluationanswer',
                        'ordering': ['evaluation', 'criterion__order', 'criterion_id'],
                    },
                ),
                migrations.CreateModel(
                    name='EvaluationDispute',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reason', models.TextField()),
                        ('raised_at', models.DateTimeField(auto_now_add=True)),
                        ('status', models.CharField(choices=[('open', 'Open'), ('upheld', 'Upheld (score stands)'), ('overturned', 'Overturned (answers changed)')], default='open', max_length=10)),
                        ('score_before', models.DecimalField(decimal_places=2, max_digits=5)),
                        ('score_after', models.DecimalField(blank=True, decimal_places=2, max_digits=5, null=True)),
                        ('resolution_comment', models.TextField(blank=True)),
                        ('resolved_at', models.DateTimeField(blank=True, null=True)),
                        ('evaluation', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='dispute', to='quality.evaluation')),
                        ('raised_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='qa_disputes_raised', to=settings.AUTH_USER_MODEL)),
                        ('resolved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='qa_disputes_resolved', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'calls_evaluationdispute',
                        'ordering': ['-raised_at', '-id'],
                        'indexes': [models.Index(condition=models.Q(('status', 'open')), fields=['raised_at'], name='dispute_open_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('status__in', ['open', 'upheld', 'overturned'])), name='dispute_status_valid'), models.CheckConstraint(condition=models.Q(('reason', ''), _negated=True), name='dispute_has_reason'), models.CheckConstraint(condition=models.Q(('status', 'open'), models.Q(('resolved_by__isnull', False), ('resolved_at__isnull', False), ('score_after__isnull', False), models.Q(('resolution_comment', ''), _negated=True)), _connector='OR'), name='dispute_resolution_complete')],
                    },
                ),
                migrations.CreateModel(
                    name='QaSample',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('week_start', models.DateField()),
                        ('reason', models.CharField(choices=[('longest', 'Longest talk of the week'), ('short_after_answer', 'Abandoned after answer'), ('random', 'Random')], max_length=20)),
                        ('seed', models.CharField(help_text='The seed the picks were drawn with.', max_length=64)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('assigned_to', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='qa_samples_assigned', to=settings.AUTH_USER_MODEL)),
                        ('call', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='qa_sample', to='calls.call')),
                        ('evaluation', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='sample', to='quality.evaluation')),
                        ('operator', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='qa_samples', to='agents.operator')),
                        ('project', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='qa_samples', to='projects.project')),
                    ],
                    options={
                        'db_table': 'calls_qasample',
                        'ordering': ['-week_start', 'project', 'operator', 'reason', 'call'],
                        'indexes': [models.Index(fields=['project', 'operator', 'week_start'], name='qa_sample_week_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('reason__in', ['longest', 'short_after_answer', 'random'])), name='qa_sample_reason_valid')],
                    },
                ),
                migrations.AddConstraint(
                    model_name='scorecard',
                    constraint=models.UniqueConstraint(fields=('project', 'name', 'version'), name='scorecard_version_once'),
                ),
                migrations.AddConstraint(
                    model_name='scorecard',
                    constraint=models.UniqueConstraint(condition=models.Q(('is_active', True)), fields=('project', 'name'), name='scorecard_one_active_version'),
                ),
                migrations.AddConstraint(
                    model_name='scorecard',
                    constraint=models.CheckConstraint(condition=models.Q(('version__gte', 1)), name='scorecard_version_positive'),
                ),
                migrations.AddIndex(
                    model_name='evaluation',
                    index=models.Index(fields=['evaluator', 'status'], name='evaluation_queue_idx'),
                ),
                migrations.AddConstraint(
                    model_name='evaluation',
                    constraint=models.UniqueConstraint(fields=('call', 'scorecard'), name='evaluation_once_per_call'),
                ),
                migrations.AddConstraint(
                    model_name='evaluation',
                    constraint=models.CheckConstraint(condition=models.Q(('status__in', ['draft', 'submitted', 'disputed', 'final'])), name='evaluation_status_valid'),
                ),
                migrations.AddConstraint(
                    model_name='evaluation',
                    constraint=models.CheckConstraint(condition=models.Q(('score__isnull', True), models.Q(('score__gte', 0), ('score__lte', 100)), _connector='OR'), name='evaluation_score_0_100'),
                ),
                migrations.AddConstraint(
                    model_name='evaluation',
                    constraint=models.CheckConstraint(condition=models.Q(('status', 'draft'), models.Q(('score__isnull', False), ('submitted_at__isnull', False)), _connector='OR'), name='evaluation_submitted_has_score'),
                ),
                migrations.AddConstraint(
                    model_name='scorecardcriterion',
                    constraint=models.UniqueConstraint(fields=('scorecard', 'name'), name='criterion_name_once'),
                ),
                migrations.AddConstraint(
                    model_name='scorecardcriterion',
                    constraint=models.CheckConstraint(condition=models.Q(('weight__gte', 1)), name='criterion_weight_positive'),
                ),
                migrations.AddConstraint(
                    model_name='evaluationanswer',
                    constraint=models.UniqueConstraint(fields=('evaluation', 'criterion'), name='evaluation_answer_once'),
                ),
                migrations.AddConstraint(
                    model_name='evaluationanswer',
                    constraint=models.CheckConstraint(condition=models.Q(('answer__in', ['met', 'not_met', 'na'])), name='evaluation_answer_valid'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_quality, content_types_to_calls),
    ]
