"""The demo's people and quality: QA staff, scorecards, a month of sampled and scored calls
with a few disputes, team leads, training courses, hires, trainees and leavers.

Everything goes through the services the API and the admin use (``quality.services``,
``quality.sampling``, ``agents.training``, ``agents.lifecycle``), over the period of
the simulated calls already stored (the demo month). Deterministic: every choice comes from
``random.Random`` seeded with a fixed string and a stable key (a call's external id, an
operator's code), and every step looks first for what an earlier load made, so loading
again adds nothing twice.
"""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from agents import lifecycle
from agents.models import DismissalReason, Operator, OperatorStatusChange, TrainingProgram
from agents.models import TrainingEnrolment as Enrolment
from agents.services import operator_create
from agents.training import enrolment_create, enrolment_record_result, program_create
from calls.models import Call
from contactcenter.tokens import reissue as reissue_token
from projects.roles import QA_EVALUATORS, TRAINERS, roles_setup
from quality.models import Evaluation, EvaluationDispute, QaSample, Scorecard
from quality.sampling import Quotas, qa_sample_week, week_start
from quality.services import (
    dispute_raise,
    dispute_resolve,
    evaluation_submit,
    scorecard_create,
)

SEED = "demo-people"
SCORECARD = "Оценка звонка"

# Staff: username -> (first name, last name, group or None).
STAFF = {
    "qa": ("Марина", "Белова", QA_EVALUATORS),
    "trainer": ("Виктор", "Громов", TRAINERS),
    "lead": ("Игорь", "Семенов", None),
}
# The QA evaluator's lines: sampled every week and scored. The other lines have a scorecard
# ready; sampling them too would double the demo's loading time for a queue nobody works.
QA_PROJECTS = ("volga-hotline", "baltic-sales")
TRAINER_PROJECTS = ("volga-hotline", "sib-support", "dv-booking", "vostok-delivery")
LEAD_TEAM = 20  # the team lead supervises the first operators of the pool

# One random call per operator and week: about four evaluations per operator a month,
# what a QA team of one or two listens to (the job's default, five a week, is for a team).
DEMO_QUOTAS = Quotas(random=1, longest=0, short_after_answer=0, total=1)
DRAFT_SHARE_LAST_WEEK = 0.4  # the queue: the last week is not finished yet
DRAFT_SHARE = 0.02

GREETING = ("Приветствие по стандарту", "Название компании, имя оператора, предложение помощи.")
CLOSING = ("Завершение разговора", "Резюме, дополнительный вопрос, прощание по скрипту.")
TONE = ("Вежливость и тон", "Без перебиваний, без жаргона, доброжелательно.")

# project -> [(name, description, weight, critical)]
CRITERIA = {
    "volga-hotline": [
        (*GREETING, 10, False),
        (
            "Идентификация клиента",
            "Кодовое слово или данные паспорта до раскрытия сведений.",
            20,
            True,
        ),
        ("Решение вопроса", "Вопрос решён в звонке или заявка оформлена верно.", 30, False),
        ("Банковская тайна", "Сведения о счёте только владельцу; 152-ФЗ.", 20, True),
        (*TONE, 10, False),
        (*CLOSING, 10, False),
    ],
    "volga-night": [
        (*GREETING, 10, False),
        ("Идентификация клиента", "Кодовое слово до любых операций по карте.", 25, True),
        ("Блокировка и экстренные случаи", "Карта заблокирована по регламенту.", 35, False),
        ("Банковская тайна", "Сведения о счёте только владельцу; 152-ФЗ.", 20, True),
        (*CLOSING, 10, False),
    ],
    "sib-support": [
        (*GREETING, 10, False),
        ("Идентификация абонента", "Номер договора или лицевого счёта.", 15, False),
        ("Диагностика", "Вопросы по чек-листу, проверка оборудования.", 25, False),
        (
            "Решение или эскалация",
            "Неисправность устранена или заявка передана во 2-ю линию.",
            30,
            False,
        ),
        (
            "Соблюдение регламента",
            "Без обещаний сроков вне SLA, без данных третьим лицам.",
            15,
            True,
        ),
        (*CLOSING, 5, False),
    ],
    "baltic-sales": [
        (*GREETING, 10, False),
        ("Выявление потребности", "Открытые вопросы, уточнение бюджета.", 20, False),
        ("Презентация товара", "Выгоды под потребность, наличие, сроки доставки.", 20, False),
        ("Работа с возражениями", "Возражение выслушано и отработано.", 15, False),
        ("Честная цена", "Цена, скидки и условия акции названы верно.", 20, True),
        ("Оформление заказа", "Заказ оформлен, подтверждение отправлено.", 15, False),
    ],
    "dv-booking": [
        (*GREETING, 10, False),
        ("Идентификация пассажира", "ФИО и документ сверены по бронированию.", 20, True),
        ("Правила тарифа", "Условия возврата и обмена названы до оплаты.", 20, False),
        ("Бронирование без ошибок", "Рейс, даты и данные пассажира верны.", 30, True),
        (*TONE, 10, False),
        (*CLOSING, 10, False),
    ],
    "vostok-delivery": [
        (*GREETING, 10, False),
        ("Идентификация по заказу", "Номер заказа и телефон получателя.", 20, False),
        ("Решение вопроса", "Статус, перенос или претензия оформлены.", 35, False),
        ("Персональные данные", "Адрес и состав заказа только получателю.", 20, True),
        (*CLOSING, 15, False),
    ],
}

# project -> (course, hours, passing score)
PROGRAMS = {
    "volga-hotline": ("Базовый курс: горячая линия банка", 40, 80),
    "volga-night": ("Ночная линия: блокировки и экстренные случаи", 16, 85),
    "sib-support": ("Техподдержка: первая линия", 32, 75),
    "baltic-sales": ("Продажи по телефону", 24, 70),
    "dv-booking": ("Бронирование авиабилетов", 40, 80),
    "vostok-delivery": ("Доставка: статусы и претензии", 16, 70),
}

# New operators: code, name, project, outcome (passed score / failed score / None = in training)
NEWCOMERS = [
    ("new-01", "Лебедева Дарья", "volga-hotline", 91),
    ("new-02", "Ковалёв Артём", "sib-support", 84),
    ("new-03", "Гусева Полина", "baltic-sales", 77),
    ("new-04", "Тихонов Роман", "dv-booking", 62),  # fails, leaves (failed_training)
    ("new-05", "Миронова Алина", "volga-hotline", None),  # in training now
    ("new-06", "Егоров Кирилл", "vostok-delivery", None),  # in training now
]
# Leavers of the month: (pool position drawn by the seed, reason, note)
LEAVERS = [
    (DismissalReason.VOLUNTARY, "Переезд в другой город."),
    (DismissalReason.ATTENDANCE, "Прогулы без уважительной причины."),
]
DISPUTES = 4  # two left open, one upheld, one overturned


def demo_people(*, projects, password, today=None):
    """Load the people and quality part of the demo; returns the staff's API tokens."""
    today = today or timezone.localdate()
    period = demo_calls_period(projects)
    staff = demo_staff(projects=projects, password=password)
    if period is not None:
        with transaction.atomic():
            demo_quality(projects=projects, staff=staff, period=period)
        with transaction.atomic():
            demo_lifecycle(projects=projects, staff=staff, period=period, today=today)
    return {name: reissue_token(user, name="demo") for name, user in staff.items()}


def demo_calls_period(projects):
    """(first day, last day) of the stored calls, at most the last 31 days of them (UTC)."""
    span = Call.objects.filter(project__in=projects.values()).aggregate(
        first=Min("offered_at"), last=Max("offered_at")
    )
    if span["last"] is None:
        return None
    last = span["last"].astimezone(dt.UTC).date()
    first = max(span["first"].astimezone(dt.UTC).date(), last - dt.timedelta(days=30))
    return first, last


def demo_staff(*, projects, password):
    """A QA evaluator, a trainer and a team lead (who supervises part of the pool)."""
    roles_setup()
    User = get_user_model()
    hashed = make_password(password)  # one hash for the three: it is the slow part
    staff = {}
    for username, (first_name, last_name, group) in STAFF.items():
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={
                "is_staff": True,
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@contactcenter.local",
            },
        )
        user.password = hashed  # DEMO_ADMIN_PASSWORD may have changed since the last load
        user.save(update_fields=["password"])
        if group:
            user.groups.add(Group.objects.get(name=group))
        staff[username] = user
    for code in QA_PROJECTS:
        projects[code].qa_evaluators.add(staff["qa"])
    for code in TRAINER_PROJECTS:
        projects[code].trainers.add(staff["trainer"])
    staff["pm"] = User.objects.get(username="pm")
    # No service sets a supervisor (the admin's operator form does); the team is the
    # first operators of the simulated pool, and a second load finds them supervised.
    team = Operator.objects.filter(code__startswith="op").order_by("code")[:LEAD_TEAM]
    Operator.objects.filter(pk__in=list(team.values_list("pk", flat=True))).filter(
        supervisor__isnull=True
    ).update(supervisor=staff["lead"])
    return staff


# --- Quality --------------------------------------------------------------------------------


def demo_quality(*, projects, staff, period):
    first, last = period
    for code, project in projects.items():
        if not Scorecard.objects.filter(project=project, name=SCORECARD).exists():
            scorecard_create(
                project=project,
                name=SCORECARD,
                valid_from=week_start(first) - dt.timedelta(days=28),
                criteria=[
                    {"name": name, "description": text, "weight": weight, "is_critical": crit}
                    for name, text, weight, crit in CRITERIA[code]
                ],
            )
    monday = week_start(first)
    mondays = []
    while monday <= last:
        mondays.append(monday)
        # A week sampled at an earlier load would add nothing: not read again (it is slow).
        sampled = set(
            QaSample.objects.filter(week_start=monday).values_list("project__code", flat=True)
        )
        todo = [projects[code] for code in QA_PROJECTS if code not in sampled]
        if todo:
            qa_sample_week(week=monday, seed=SEED, projects=todo, quotas=DEMO_QUOTAS)
        monday += dt.timedelta(days=7)
    _score(projects=projects, staff=staff, last_week=mondays[-1])
    _disputes(project=projects["volga-hotline"], staff=staff)


def _score(*, projects, staff, last_week):
    """Answer the sampled drafts of the evaluated projects: most submitted, the rest of
    the last week (and a few older ones) left in the evaluator's queue."""
    drafts = (
        Evaluation.objects.filter(
            status=Evaluation.Status.DRAFT,
            call__project__in=[projects[code] for code in QA_PROJECTS],
            sample__isnull=False,
        )
        .select_related("call", "sample", "evaluator")
        .prefetch_related("scorecard__criteria")
        .order_by("call__external_id")
    )
    for evaluation in drafts:
        rng = random.Random(f"{SEED}:{evaluation.call.external_id}")  # noqa: S311 - a demo
        share = DRAFT_SHARE_LAST_WEEK if evaluation.sample.week_start == last_week else DRAFT_SHARE
        keep_draft = rng.random() < share
        answers = _answers(rng, list(evaluation.scorecard.criteria.all()))
        if keep_draft:
            continue  # untouched: the queue
        evaluation_submit(
            evaluation=evaluation,
            user=evaluation.evaluator or staff["qa"],
            answers=answers,
            comment=_comment(answers),
        )


def _answers(rng, criteria):
    """Plausible answers: a critical failure now and then (score 0), a missed point or
    two often, N/A for the odd criterion that does not apply to the call."""
    answers = []
    critical_failure = rng.random() < 0.04
    failed_critical = False
    for criterion in criteria:
        draw = rng.random()
        if criterion.is_critical:
            answer = "not_met" if critical_failure and not failed_critical else "met"
            failed_critical |= answer == "not_met"
        elif draw < 0.12:
            answer = "not_met"
        elif draw < 0.17 and criterion.order > 0:
            answer = "na"
        else:
            answer = "met"
        answers.append({"criterion": criterion, "answer": answer})
    return answers


def _comment(answers):
    missed = [a["criterion"].name for a in answers if a["answer"] == "not_met"]
    return "Без замечаний." if not missed else "Не выполнено: " + ", ".join(missed) + "."


def _disputes(*, project, staff):
    """The team lead contests low scores of their operators on the bank's hotline; the
    PM (a manager of the project) upholds one, overturns another, two wait."""
    lead, pm = staff["lead"], staff["pm"]
    if EvaluationDispute.objects.filter(evaluation__call__project=project).exists():
        return
    candidates = list(
        Evaluation.objects.filter(
            call__project=project,
            call__operator__supervisor=lead,
            status=Evaluation.Status.SUBMITTED,
            score__lt=100,
        )
        .select_related("call")
        .order_by("call__offered_at", "call__external_id")[:DISPUTES]
    )
    reasons = [  # any point: the lead names the one that cost the most
        "клиент сам прервал разговор, оператор действовал по регламенту.",
        "на записи это есть (вторая минута), оценщик пропустил.",
        "выполнено другими словами, чем в скрипте, но по сути верно.",
        "в этом звонке пункт не применим.",
    ]
    for index, evaluation in enumerate(candidates):
        missed = (
            evaluation.answers.filter(answer="not_met")
            .select_related("criterion")
            .order_by("-criterion__is_critical", "-criterion__weight", "criterion__order")
        )
        point = missed.first().criterion.name
        dispute = dispute_raise(
            evaluation=evaluation, user=lead, reason=f"Пункт «{point}»: {reasons[index]}"
        )
        if index == 0:
            dispute_resolve(
                dispute=dispute,
                user=pm,
                outcome=EvaluationDispute.Status.UPHELD,
                comment="Прослушали запись с тимлидом: пункт не выполнен, оценка верна.",
            )
        elif index == 1:
            dispute_resolve(
                dispute=dispute,
                user=pm,
                outcome=EvaluationDispute.Status.OVERTURNED,
                comment="Довод подтвердился: пункты засчитаны, оценка пересчитана.",
                answers=[{"criterion": a.criterion, "answer": "met"} for a in missed],
            )


# --- People ---------------------------------------------------------------------------------


def demo_lifecycle(*, projects, staff, period, today):
    first, last = period
    trainer, pm = staff["trainer"], staff["pm"]
    _open_pool_history(pm)
    programs = {}
    for code, (name, hours, passing) in PROGRAMS.items():
        program = TrainingProgram.objects.filter(project=projects[code], name=name).first()
        programs[code] = program or program_create(
            project=projects[code], name=name, hours=hours, passing_score=passing
        )
    for index, (code, name, project, score) in enumerate(NEWCOMERS):
        if Operator.objects.filter(code=code).exists():
            continue
        operator = operator_create(
            code=code,
            full_name=name,
            email=f"{code}@contactcenter.local",
            status=Operator.Status.CANDIDATE,
            hourly_cost="400.00",
        )
        program = programs[project]
        if score is None:  # started yesterday: the course ends after today
            started = today - dt.timedelta(days=1)
            enrolment_create(
                operator=operator, program=program, started_on=started, trainer=trainer, by=pm
            )
            continue
        # Courses start on weekdays through the month ...
        started = min(first + dt.timedelta(days=(last - first).days * index // 8), last)
        while started.weekday() >= 5 and started < last:
            started += dt.timedelta(days=1)
        enrolment = enrolment_create(
            operator=operator, program=program, started_on=started, trainer=trainer, by=pm
        )
        # ... and end with the exam on the last training day (or when the month runs out).
        exam = max(min(_last_training_day(enrolment), last, today), started)
        enrolment_record_result(enrolment=enrolment, score=score, on=exam, by=trainer)
        if score < program.passing_score:
            lifecycle.operator_dismiss(
                operator=operator,
                on=exam,
                reason=DismissalReason.FAILED_TRAINING,
                by=pm,
                note="Не сдал итоговый тест.",
            )
    _leavers(pm=pm, period=period)


def _last_training_day(enrolment):
    day = enrolment.expected_ready_on - dt.timedelta(days=1)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def _open_pool_history(by):
    """The opening "candidate -> active" row of each simulated operator without history,
    as the migration gave the operators of its day (the lifecycle's own helper)."""
    for operator in Operator.objects.filter(
        hired_on__isnull=False, status_changes__isnull=True
    ).order_by("code"):
        lifecycle._open_history(operator, by)


def _leavers(*, pm, period):
    """Two operators of the pool leave during the month, on the day of their last shift."""
    first, last = period
    pool = list(Operator.objects.filter(code__startswith="op").order_by("code"))
    rng = random.Random(f"{SEED}:leavers")  # noqa: S311 - a demo
    chosen = rng.sample(pool[LEAD_TEAM:], len(LEAVERS))  # not the lead's team: no disputes
    for operator, (reason, note) in zip(sorted(chosen, key=lambda o: o.code), LEAVERS, strict=True):
        if operator.status != Operator.Status.ACTIVE:
            continue  # left at an earlier load
        # Their last shift of the month: no call of theirs comes after their last day.
        last_shift = (
            operator.shifts.filter(starts_at__date__gte=first, starts_at__date__lte=last)
            .order_by("-starts_at")
            .first()
        )
        on = last_shift.starts_at.date() if last_shift else last
        lifecycle.operator_dismiss(operator=operator, on=on, reason=reason, by=pm, note=note)


def demo_people_counts():
    """What the demo holds, for the command's summary and the tests."""
    evaluations = Evaluation.objects.all()
    return {
        "scorecards": Scorecard.objects.count(),
        "evaluations": {s: evaluations.filter(status=s).count() for s in Evaluation.Status.values},
        "disputes": {
            s: EvaluationDispute.objects.filter(status=s).count()
            for s in EvaluationDispute.Status.values
        },
        "enrolments": {
            s: Enrolment.objects.filter(status=s).count() for s in Enrolment.Status.values
        },
        "status_changes": OperatorStatusChange.objects.count(),
    }
