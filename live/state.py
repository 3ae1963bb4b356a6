"""The live state in Redis: queues, operators and today's counters (docs/live.md).

Every stored call event and agent event is applied here after its transaction commits, by
two Lua scripts that Redis runs atomically. Both are idempotent and independent of order:
a call event sets its instant once (``HSETNX``) and the call's contribution to its day's
counters is recomputed from the call's instants, its difference to the last contribution
added; an agent event wins over the operator's stored state only when it is not older.
So applying a stored event twice changes nothing, and a rebuild (``rebuild``: replay the
stored events of the last ``REPLAY`` hours) gives exactly the state the events built.

Instants travel as integer microseconds since the epoch (exact in Lua's doubles), and
pass to Redis as the strings Python wrote, never through Lua's number formatting.
"""

import datetime as dt
import json
import math
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from agents.models import AgentStateEvent, Certification, Operator
from calls import kpis
from live import keys
from live.models import CallEvent
from projects.models import Project
from workforce.forecast import INTERVAL, forecast_projects, local_week_grid

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICROSECOND = dt.timedelta(microseconds=1)
REPLAY = dt.timedelta(hours=48)  # covers "today" in every time zone, and calls still open
CALL_TTL_SECONDS = 3 * 24 * 3600
AGENT_STATES = ("ready", "on_call", "wrap", "break", "offline")
# Operators counted by the live state: on the payroll (not candidates, not dismissed).
LIVE_STATUSES = (Operator.Status.TRAINING, Operator.Status.ACTIVE)
COUNTERS = (
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "answered_within_threshold",
    "abandoned_within_threshold",
    "wait_seconds_answered",
)

# KEYS: the call's hash, the project's waiting set. ARGV: event, instant (µs), local day of
# the instant, operator id or "", SL threshold (s), short abandon (s), day-counters key
# prefix, operator key prefix, "project_id:external_id", external_id, TTL (s).
CALL_SCRIPT = """
local call, waiting = KEYS[1], KEYS[2]
local event, at, day, op = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local threshold, short = tonumber(ARGV[5]), tonumber(ARGV[6])
local dayprefix, opprefix, ref, xid = ARGV[7], ARGV[8], ARGV[9], ARGV[10]
redis.call('HSETNX', call, event, at)
if event == 'offered' then redis.call('HSETNX', call, 'day', day) end
if op ~= '' then redis.call('HSETNX', call, 'operator', op) end
redis.call('EXPIRE', call, tonumber(ARGV[11]))
local f = redis.call('HMGET', call, 'offered', 'answered', 'ended', 'abandoned', 'day',
  'operator', 'cd', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7')
local offered, answered = tonumber(f[1]), tonumber(f[2])
local finish, finish_s = tonumber(f[3]), f[3]
if f[4] and (not finish or tonumber(f[4]) < finish) then finish, finish_s = tonumber(f[4]), f[4] end
local names = {'offered', 'answered', 'abandoned', 'short_abandoned',
  'answered_within_threshold', 'abandoned_within_threshold', 'wait_seconds_answered'}
local new = {0, 0, 0, 0, 0, 0, 0}
local newday = false
if offered then
  newday = f[5]
  new[1] = 1
  if answered then
    local w = math.max(0, math.ceil((answered - offered) / 1000000))
    new[2] = 1
    new[7] = w
    if w <= threshold then new[5] = 1 end
  elseif finish then
    local w = math.max(0, math.ceil((finish - offered) / 1000000))
    new[3] = 1
    if w < short then new[4] = 1 end
    if w <= threshold then new[6] = 1 end
  end
end
local oldday = f[7]
for i = 1, 7 do
  local old = tonumber(f[7 + i]) or 0
  if oldday and (old ~= new[i] or oldday ~= newday) and old ~= 0 then
    redis.call('HINCRBY', dayprefix .. oldday, names[i], -old)
  end
  if newday and (old ~= new[i] or oldday ~= newday) and new[i] ~= 0 then
    redis.call('HINCRBY', dayprefix .. newday, names[i], new[i])
  end
end
if newday then
  redis.call('HSET', call, 'cd', newday, 'c1', new[1], 'c2', new[2], 'c3', new[3], 'c4', new[4],
    'c5', new[5], 'c6', new[6], 'c7', new[7])
  redis.call('EXPIRE', dayprefix .. newday, tonumber(ARGV[11]))
end
if offered and not answered and not finish then
  redis.call('ZADD', waiting, f[1], xid)
else
  redis.call('ZREM', waiting, xid)
end
local operator = f[6]
if operator and answered then
  local opkey = opprefix .. operator
  if not finish then
    local current = tonumber(redis.call('HGET', opkey, 'call_at'))
    if not current or answered >= current then
      redis.call('HSET', opkey, 'call', ref, 'call_at', f[2])
    end
  elseif redis.call('HGET', opkey, 'call') == ref then
    redis.call('HDEL', opkey, 'call', 'call_at')
    local back = tonumber(redis.call('HGET', opkey, 'back_at'))
    if not back or finish > back then redis.call('HSET', opkey, 'back_at', finish_s) end
  end
end
return 1
"""

# KEYS: the operator's hash. ARGV: state, instant (µs), reason.
AGENT_SCRIPT = """
local current = tonumber(redis.call('HGET', KEYS[1], 'state_at'))
if not current or tonumber(ARGV[2]) >= current then
  redis.call('HSET', KEYS[1], 'state', ARGV[1], 'state_at', ARGV[2], 'reason', ARGV[3])
end
return 1
"""


def micros(instant: dt.datetime) -> int:
    """Whole microseconds since the epoch, exactly."""
    return (instant - EPOCH) // MICROSECOND


def from_micros(value: int | str) -> dt.datetime:
    return EPOCH + int(value) * MICROSECOND


def _stale_micros() -> int:
    return int(settings.LIVE_STALE_CALL_SECONDS) * 1_000_000


# --- Applying events ---------------------------------------------------------------------


def apply_call_events(rows: Iterable[tuple]) -> None:
    """Apply stored call events ``(project_id, external_id, event, at, operator_id, caller)``."""
    rows = list(rows)
    if not rows:
        return
    projects = {
        p["pk"]: p
        for p in Project.objects.filter(pk__in={row[0] for row in rows}).values(
            "pk", "timezone", "sl_threshold_seconds", "short_abandon_seconds"
        )
    }
    redis = keys.client()
    script = redis.register_script(CALL_SCRIPT)
    operator_prefix = keys.operator_prefix()
    pipe = redis.pipeline(transaction=False)
    for project_id, external_id, event, at, operator_id, _caller in rows:
        project = projects[project_id]
        day = at.astimezone(ZoneInfo(project["timezone"])).date().isoformat()
        script(
            keys=[keys.call(project_id, external_id), keys.waiting(project_id)],
            args=[
                event,
                str(micros(at)),
                day,
                "" if operator_id is None else str(operator_id),
                project["sl_threshold_seconds"],
                project["short_abandon_seconds"],
                keys.day_prefix(project_id),
                operator_prefix,
                f"{project_id}:{external_id}",
                external_id,
                CALL_TTL_SECONDS,
            ],
            client=pipe,
        )
    pipe.execute()


def apply_agent_events(rows: Iterable[tuple]) -> None:
    """Apply stored agent events ``(operator_id, at, state, reason)``."""
    rows = list(rows)
    if not rows:
        return
    redis = keys.client()
    script = redis.register_script(AGENT_SCRIPT)
    pipe = redis.pipeline(transaction=False)
    prefix = keys.operator_prefix()
    for operator_id, at, state, reason in rows:
        script(keys=[f"{prefix}{operator_id}"], args=[state, str(micros(at)), reason], client=pipe)
    pipe.execute()


# --- Rebuilding --------------------------------------------------------------------------


def clear() -> int:
    """Delete every key of the live state (this prefix only); returns how many."""
    redis = keys.client()
    lock = keys.rebuilding()
    found = [key for key in redis.scan_iter(match=f"{keys.prefix()}*", count=1000) if key != lock]
    for start in range(0, len(found), 1000):
        redis.unlink(*found[start : start + 1000])
    return len(found)


def rebuild(now: dt.datetime | None = None) -> dict:
    """Clear the live state and replay the stored events: the call events of the last
    ``REPLAY`` hours and every operator's latest agent event. Returns what was replayed."""
    now = timezone.now() if now is None else now
    clear()
    events = CallEvent.objects.filter(at__gte=now - REPLAY).order_by("at", "id")
    columns = ("project_id", "external_id", "event", "at", "operator_id", "caller")
    count = 0
    batch = []
    for row in events.values_list(*columns).iterator(chunk_size=5000):
        batch.append(row)
        if len(batch) == 5000:
            apply_call_events(batch)
            count, batch = count + len(batch), []
    apply_call_events(batch)
    count += len(batch)
    latest = AgentStateEvent.objects.filter(operator=OuterRef("pk"), at__lte=now).order_by("-at")
    states = (
        Operator.objects.annotate(
            last_at=Subquery(latest.values("at")[:1]),
            last_state=Subquery(latest.values("state")[:1]),
            last_reason=Subquery(latest.values("reason")[:1]),
        )
        .filter(last_at__isnull=False)
        .values_list("pk", "last_at", "last_state", "last_reason")
    )
    agents = list(states)
    apply_agent_events(agents)
    keys.client().set(keys.built(), now.isoformat())
    return {"call_events": count, "operators": len(agents)}


def ensure_built(now: dt.datetime | None = None) -> None:
    """Rebuild when the state is missing (a flushed or restarted Redis); one process at a
    time rebuilds, the others read what there is meanwhile."""
    redis = keys.client()
    if redis.exists(keys.built()):
        return
    if redis.set(keys.rebuilding(), "1", nx=True, ex=120):
        try:
            rebuild(now)
        finally:
            redis.delete(keys.rebuilding())


# --- Reading -----------------------------------------------------------------------------


def _waiting(redis, project_id: int, now_us: int) -> tuple[int, int]:
    """(calls waiting, longest wait in whole seconds); calls silent for longer than
    ``LIVE_STALE_CALL_SECONDS`` are no longer live."""
    entries = redis.zrangebyscore(
        keys.waiting(project_id), now_us - _stale_micros(), "+inf", withscores=True
    )
    if not entries:
        return 0, 0
    oldest = int(min(score for _, score in entries))
    return len(entries), max(0, (now_us - oldest) // 1_000_000)


def operator_state(fields: dict, now_us: int) -> tuple[str, int | None, str | None]:
    """(state, since in µs or None, "project_id:external_id" of the current call or None)
    from an operator's hash. On a call from answered until ended or abandoned; else the
    last agent event's state (offline without one), since it or the end of the last call."""
    call, call_at = fields.get("call"), fields.get("call_at")
    if call and int(call_at) >= now_us - _stale_micros():
        return "on_call", int(call_at), call
    state = fields.get("state") or "offline"
    since = int(fields["state_at"]) if fields.get("state_at") else None
    back = int(fields["back_at"]) if fields.get("back_at") else None
    if back is not None and (since is None or back > since):
        since = back
    return state, since, None


def _operator_hashes(redis, operator_ids: list[int]) -> list[dict]:
    prefix = keys.operator_prefix()
    pipe = redis.pipeline(transaction=False)
    for operator_id in operator_ids:
        pipe.hgetall(f"{prefix}{operator_id}")
    return pipe.execute()


def _agent_counts(redis, operator_ids: list[int], now_us: int) -> dict:
    counts = dict.fromkeys(AGENT_STATES, 0)
    for fields in _operator_hashes(redis, operator_ids):
        counts[operator_state(fields, now_us)[0]] += 1
    return counts


def _today(redis, project, now: dt.datetime) -> dict:
    day = now.astimezone(ZoneInfo(project.timezone)).date().isoformat()
    stored = redis.hgetall(keys.day_prefix(project.pk) + day)
    return {name: int(stored.get(name, 0)) for name in COUNTERS}


def forecast_so_far(project: Project, now: dt.datetime) -> float:
    """Calls forecast for the project's local today up to ``now``: whole intervals that
    have passed, and the running one in proportion of its elapsed time (``workforce``'s
    forecast, computed once a day and kept in Redis)."""
    zone = ZoneInfo(project.timezone)
    day = now.astimezone(zone).date()
    redis = keys.client()
    key = keys.forecast(project.pk, day.isoformat())
    cached = redis.get(key)
    if cached is None:
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)
        targets = [t for t in local_week_grid(day, 1, zone) if t < end]
        offered = forecast_projects(projects=[project], targets=targets, start=targets[0])
        values = [
            [micros(t), 0.0 if math.isnan(v) else float(v)]
            for t, v in zip(targets, offered[project.pk]["offered"], strict=True)
        ]
        cached = json.dumps(values)
        redis.set(key, cached, ex=26 * 3600)
    now_us, length = micros(now), micros(EPOCH + INTERVAL)
    total = 0.0
    for start, value in json.loads(cached):
        if now_us >= start + length:
            total += value
        elif now_us > start:
            total += value * (now_us - start) / length
    return round(total, 2)


def _ratios(counters: dict, sl_formula: str) -> dict:
    level = kpis.service_level(counters, sl_formula)
    asa = kpis.asa_seconds(counters)
    return {
        "service_level": None if level is None else round(level, 4),
        "asa_seconds": None if asa is None else round(asa, 1),
    }


def project_live(project: Project, now: dt.datetime | None = None) -> dict:
    """The project's live state: calls waiting now, the longest wait now, its operators
    (those certified on it) by state, and its local today so far."""
    now = timezone.now() if now is None else now
    ensure_built(now)
    redis, now_us = keys.client(), micros(now)
    waiting, longest = _waiting(redis, project.pk, now_us)
    operator_ids = list(
        Certification.objects.filter(
            project=project, operator__status__in=LIVE_STATUSES
        ).values_list("operator_id", flat=True)
    )
    counters = _today(redis, project, now)
    return {
        "waiting": waiting,
        "longest_wait_seconds": longest,
        "agents": _agent_counts(redis, operator_ids, now_us),
        "today": {
            "offered": counters["offered"],
            "answered": counters["answered"],
            "abandoned": counters["abandoned"],
            **_ratios(counters, project.sl_formula),
            "forecast_offered": forecast_so_far(project, now),
        },
    }


def pool_live(now: dt.datetime | None = None) -> dict:
    """The same for the whole center: every active project's queues and today (each in its
    own local day; service level over the summed counters, each call judged by its
    project's threshold), every operator on the payroll counted once."""
    now = timezone.now() if now is None else now
    ensure_built(now)
    redis, now_us = keys.client(), micros(now)
    waiting = longest = 0
    counters = dict.fromkeys(COUNTERS, 0)
    forecast = 0.0
    for project in Project.objects.filter(is_active=True).order_by("pk"):
        count, wait = _waiting(redis, project.pk, now_us)
        waiting, longest = waiting + count, max(longest, wait)
        for name, value in _today(redis, project, now).items():
            counters[name] += value
        forecast += forecast_so_far(project, now)
    operator_ids = list(
        Operator.objects.filter(status__in=LIVE_STATUSES).values_list("pk", flat=True)
    )
    return {
        "waiting": waiting,
        "longest_wait_seconds": longest,
        "agents": _agent_counts(redis, operator_ids, now_us),
        "today": {
            "offered": counters["offered"],
            "answered": counters["answered"],
            "abandoned": counters["abandoned"],
            **_ratios(counters, kpis.SL_FORMULAS[0]),
            "forecast_offered": round(forecast, 2),
        },
    }


def operators_live(project: Project | None = None, now: dt.datetime | None = None) -> list[dict]:
    """Each operator on the payroll (of ``project``: certified on it) with their state,
    since when, the break reason and the current call (``{project, external_id, since}``)."""
    now = timezone.now() if now is None else now
    ensure_built(now)
    redis, now_us = keys.client(), micros(now)
    operators = Operator.objects.filter(status__in=LIVE_STATUSES).order_by("code")
    if project is not None:
        operators = operators.filter(certifications__project=project)
    rows = list(operators.values_list("pk", "code", "full_name"))
    hashes = _operator_hashes(redis, [pk for pk, _, _ in rows])
    codes = dict(Project.objects.values_list("pk", "code"))
    result = []
    for (_, code, name), fields in zip(rows, hashes, strict=True):
        state, since, call = operator_state(fields, now_us)
        current = None
        if call is not None:
            project_id, external_id = call.split(":", 1)
            current = {
                "project": codes.get(int(project_id)),
                "external_id": external_id,
                "since": from_micros(since),
            }
        result.append(
            {
                "operator": code,
                "name": name,
                "state": state,
                "since": None if since is None else from_micros(since),
                "reason": fields.get("reason", "") if state == "break" else "",
                "call": current,
            }
        )
    return result
