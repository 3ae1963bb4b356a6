"""The QA models move to the quality app (issue 14): removed from the calls app's state only.

Nothing happens in the database here: the tables (``calls_scorecard`` ... ``calls_qasample``)
stay where they are, and ``quality/migrations/0001_initial.py`` takes them over in its
state, with the content types and so the permissions, admin log and audit rows.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('calls', '0012_schedule_caller_retention'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='qasample',
                    name='evaluation',
                ),
                migrations.RemoveField(
                    model_name='evaluationdispute',
                    name='evaluation',
                ),
                migrations.RemoveField(
                    model_name='evaluationanswer',
                    name='evaluation',
                ),
                migrations.RemoveField(
                    model_name='evaluationanswer',
                    name='criterion',
                ),
                migrations.RemoveField(
                    model_name='evaluationdispute',
                    name='raised_by',
                ),
                migrations.RemoveField(
                    model_name='evaluationdispute',
                    name='resolved_by',
                ),
                migrations.RemoveField(
                    model_name='qasample',
                    name='assigned_to',
                ),
                migrations.RemoveField(
                    model_name='qasample',
                    name='call',
                ),
                migrations.RemoveField(
                    model_name='qasample',
                    name='operator',
                ),
                migrations.RemoveField(
                    model_name='qasample',
                    name='project',
                ),
                migrations.RemoveField(
                    model_name='scorecard',
                    name='project',
                ),
                migrations.RemoveField(
                    model_name='scorecardcriterion',
                    name='scorecard',
                ),
                migrations.DeleteModel(
                    name='Evaluation',
                ),
                migrations.DeleteModel(
                    name='EvaluationAnswer',
                ),
                migrations.DeleteModel(
                    name='EvaluationDispute',
                ),
                migrations.DeleteModel(
                    name='QaSample',
                ),
                migrations.DeleteModel(
                    name='Scorecard',
                ),
                migrations.DeleteModel(
                    name='ScorecardCriterion',
                ),
            ],
            database_operations=[],
        ),
    ]
