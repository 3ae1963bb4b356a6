"""The weekly QA sample (quality.sampling): local weeks, quotas per operator, the
longest and the abandoned-after-answer calls, a seeded draw, never a call twice, and
re-running a week adds nothing."""

import datetime as dt
import importlib
import json
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.utils import translation
from django_celery_beat.models import PeriodicTask

from quality import tasks
from quality.models import Evaluation, QaSample
from quality.sampling import Quotas, qa_sample_week, week_window
from tests.factories import CallFactory, OperatorFactory, ProjectFactory, UserFactory
from tests.factories.quality import EvaluationFactory, ScorecardFactory

MSK = ZoneInfo("Europe/Moscow")
MONDAY = dt.date(2026, 10, 5)


def _call(project, operator, *, day=0, minute=0, talk=120, direction="inbound", hour=10):
    """An answered call of ``talk`` seconds, offered on MONDAY + ``day`` local time."""
    offered = dt.datetime.combine(MONDAY + dt.timedelta(days=day), dt.time(hour), MSK)
    offered += dt.timedelta(minutes=minute)
    answered = offered + dt.timedelta(seconds=5)
    return CallFactory(
        project=project,
        operator=operator,
        direction=direction,
        offered_at=offered,
        answered_at=answered,
        ended_at=answered + dt.timedelta(seconds=talk),
        hold_seconds=0,
    )


@pytest.fixture
def week(db):
    """One project in Moscow; Anna answers 12 calls of the week, Boris 2."""
    project = ProjectFactory(code="qa-hotline", timezone="Europe/Moscow")
    anna, boris = OperatorFactory(code="anna"), OperatorFactory(code="boris")
    calls = {
        "anna": [_call(project, anna, day=n % 5, minute=n, talk=60 + 10 * n) for n in range(9)],
        "boris": [_call(project, boris, talk=300), _call(project, boris, minute=5, talk=200)],
    }
    # Anna's longest (talk 900 s), two hung up right after the answer (talk < 10 s), and an
    # outbound 3-second call, which is no abandon of a caller.
    longest = _call(project, anna, day=3, minute=30, talk=900)
    short = [_call(project, anna, day=1, minute=40, talk=4), _call(project, anna, day=2, talk=9)]
    outbound_short = _call(project, anna, day=4, minute=50, talk=3, direction="outbound")
    calls["anna"] += [longest, *short, outbound_short]
    # Outside the local week: Sunday 23:30 Moscow before it, Monday 00:10 after it.
    before = _call(project, anna, day=-1, hour=23, minute=30, talk=5000)
    after = _call(project, anna, day=7, hour=0, minute=10, talk=5000)
    # Never answered: never sampled.
    CallFactory(
        project=project,
        operator=None,
        answered_at=None,
        hold_seconds=0,
        offered_at=dt.datetime.combine(MONDAY, dt.time(11), MSK),
    )
    return {
        "project": project,
        "calls": calls,
        "longest": longest,
        "short": short,
        "outbound_short": outbound_short,
        "outside": [before, after],
    }


def _picks(**filters):
    return {
        (s.operator.code, s.reason, s.call_id)
        for s in QaSample.objects.select_related("operator").filter(**filters)
    }


def test_the_week_is_monday_to_monday_in_the_projects_time_zone():
    start, end = week_window(MONDAY, "Europe/Moscow")
    assert start == dt.datetime(2026, 10, 4, 21, 0, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 10, 11, 21, 0, tzinfo=dt.UTC)
    # Across the end of summer time (Berlin, 25 October 2026): a 169-hour week.
    start, end = week_window(dt.date(2026, 10, 19), "Europe/Berlin")
    assert end.astimezone(dt.UTC) - start.astimezone(dt.UTC) == dt.timedelta(hours=169)


def test_quotas_per_operator_longest_and_abandoned_after_answer(week):
    result = qa_sample_week(week=MONDAY + dt.timedelta(days=3), seed="42")

    assert result.as_dict()["samples"] == 7
    anna = QaSample.objects.filter(operator__code="anna")
    assert anna.count() == 5  # the cap: 1 longest + 1 short + 3 random
    assert sorted(anna.values_list("reason", flat=True)) == [
        "longest",
        "random",
        "random",
        "random",
        "short_after_answer",
    ]
    assert anna.get(reason="longest").call == week["longest"]
    assert anna.get(reason="short_after_answer").call in week["short"]
    boris = QaSample.objects.filter(operator__code="boris")
    assert sorted(boris.values_list("reason", flat=True)) == ["longest", "random"]
    sampled = set(QaSample.objects.values_list("call_id", flat=True))
    assert len(sampled) == 7  # never a call twice
    assert not sampled & {c.pk for c in week["outside"]}
    assert week["outbound_short"].pk not in set(
        QaSample.objects.filter(reason="short_after_answer").values_list("call_id", flat=True)
    )
    assert set(QaSample.objects.values_list("week_start", flat=True)) == {MONDAY}
    assert set(QaSample.objects.values_list("seed", flat=True)) == {"42"}


def test_the_short_talk_threshold_and_the_quotas_are_settings(week, settings):
    settings.QA_SHORT_AFTER_ANSWER_SECONDS = 5  # only the 4-second call is short now
    settings.QA_SAMPLE_RANDOM = 1
    settings.QA_SAMPLE_SHORT_AFTER_ANSWER = 2
    assert Quotas.from_settings() == Quotas(
        random=1, longest=1, short_after_answer=2, total=5, short_talk_seconds=5
    )

    qa_sample_week(week=MONDAY, seed="1")

    anna = QaSample.objects.filter(operator__code="anna")
    assert sorted(anna.values_list("reason", flat=True)) == [
        "longest",
        "random",
        "short_after_answer",
    ]
    assert anna.get(reason="short_after_answer").call == week["short"][0]


def test_the_same_seed_picks_the_same_calls_and_another_seed_others(db):
    project = ProjectFactory(code="big-line")
    operator = OperatorFactory(code="olga")
    for n in range(80):
        _call(project, operator, day=n % 7, minute=n, talk=100 + n % 13)

    qa_sample_week(week=MONDAY, seed="7")
    first = _picks()
    QaSample.objects.all().delete()
    Evaluation.objects.all().delete()
    qa_sample_week(week=MONDAY, seed="7")
    assert _picks() == first

    QaSample.objects.all().delete()
    qa_sample_week(week=MONDAY, seed="8")
    other = _picks()
    random_first = {p for p in first if p[1] == "random"}
    random_other = {p for p in other if p[1] == "random"}
    assert random_first != random_other
    # The longest call is no draw: every seed takes it.
    assert {p for p in first if p[1] == "longest"} == {p for p in other if p[1] == "longest"}


def test_re_running_a_week_adds_nothing_and_an_evaluated_call_is_never_sampled(week):
    evaluated = week["longest"]
    EvaluationFactory(call=evaluated)

    first = qa_sample_week(week=MONDAY, seed="42")
    picks = _picks()
    again = qa_sample_week(week=MONDAY, seed="another")

    assert first.samples == 7
    # Anna's week is skipped as sampled; Boris has no call left that was never sampled.
    assert (again.samples, again.skipped_operators) == (0, 1)
    assert _picks() == picks
    assert evaluated.pk not in {call_id for _, _, call_id in picks}
    # The next longest of Anna's week took its place: talk 140 s (the 9th call, n = 8).
    longest = QaSample.objects.get(operator__code="anna", reason="longest").call
    assert longest.talk_seconds == 140


def test_samples_become_drafts_assigned_round_robin(week):
    project = week["project"]
    scorecard = ScorecardFactory(project=project)
    first, second = UserFactory(username="qa-a"), UserFactory(username="qa-b")
    project.qa_evaluators.add(second, first)

    qa_sample_week(week=MONDAY, seed="42")

    samples = list(QaSample.objects.order_by("id").select_related("evaluation"))
    assert [s.assigned_to for s in samples] == [first, second] * 3 + [first]
    assert all(s.evaluation.status == "draft" for s in samples)
    assert {s.evaluation.scorecard for s in samples} == {scorecard}
    assert [s.evaluation.evaluator for s in samples] == [s.assigned_to for s in samples]


def test_without_a_scorecard_or_evaluators_the_sample_waits_in_the_queue(week):
    qa_sample_week(week=MONDAY, seed="42")
    assert QaSample.objects.count() == 7
    assert not QaSample.objects.filter(evaluation__isnull=False).exists()
    assert not QaSample.objects.filter(assigned_to__isnull=False).exists()
    assert not Evaluation.objects.exists()


def test_the_command_runs_the_same_job(week):
    out = StringIO()
    call_command("sample_qa_calls", "--week", "2026-10-07", "--seed", "42", stdout=out)
    assert json.loads(out.getvalue()) == {
        "evaluations": 0,
        "samples": 7,
        "skipped_operators": 0,
        "weeks": {"qa-hotline": "2026-10-05"},
    }
    picks = _picks()
    QaSample.objects.all().delete()
    qa_sample_week(week=MONDAY, seed="42")
    assert _picks() == picks


def test_the_command_says_what_it_did_in_the_active_language(week):
    english, russian, again = StringIO(), StringIO(), StringIO()
    call_command("sample_qa_calls", "--week", "2026-10-07", "--seed", "42", stderr=english)
    QaSample.objects.all().delete()
    with translation.override("ru"):
        call_command("sample_qa_calls", "--week", "2026-10-07", "--seed", "42", stderr=russian)
        call_command("sample_qa_calls", "--week", "2026-10-07", "--seed", "42", stderr=again)

    assert english.getvalue() == (
        "7 calls sampled; 0 draft evaluations made; 0 operator weeks already sampled.\n"
    )
    assert russian.getvalue() == (
        "в выборку попало 7 звонков; создано 0 черновиков оценки; "
        "0 недель операторов уже были в выборке.\n"
    )
    assert again.getvalue() == (  # the week already sampled: the singular form
        "в выборку попало 0 звонков; создано 0 черновиков оценки; "
        "1 неделя оператора уже была в выборке.\n"
    )


def test_the_weekly_task_samples_the_last_complete_local_week(week):
    # Monday 12 October, 12:00 UTC: the beat's hour; the week before is complete everywhere.
    with time_machine.travel(dt.datetime(2026, 10, 12, 12, 0, tzinfo=dt.UTC), tick=False):
        result = tasks.sample_qa_calls.delay(seed="42").get()
    assert result["weeks"] == {"qa-hotline": "2026-10-05"}
    assert result["samples"] == 7


def test_the_beat_schedule_is_installed_weekly(db):
    migration = importlib.import_module("calls.migrations.0008_schedule_sample_qa_calls")
    migration.create_schedule(apps, None)  # idempotent; a flushed test database lacks it
    migration.create_schedule(apps, None)

    task = PeriodicTask.objects.get(name=migration.NAME)
    assert task.task == "calls.sample_qa_calls"
    assert (task.crontab.day_of_week, task.crontab.hour, task.crontab.minute) == ("1", "12", "0")
