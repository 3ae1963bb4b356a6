"""Celery tasks of the quality app: thin wrappers over a service.

The task keeps the name it had in ``calls`` ("calls.sample_qa_calls"): the beat row
(``calls/migrations/0008_schedule_sample_qa_calls.py``) and queued messages name it so.
"""

from celery import shared_task
from django.conf import settings

from quality import sampling as quality_sampling


@shared_task(
    name="calls.sample_qa_calls",
    acks_late=True,  # idempotent: a week already sampled for an operator is left as it is
    soft_time_limit=600,
    time_limit=660,
)
def sample_qa_calls(seed=None):
    """Beat, weekly (Monday 12:00 UTC): sample each project's last complete local week."""
    return quality_sampling.qa_sample_week(
        seed=seed if seed is not None else getattr(settings, "QA_SAMPLE_SEED", "weekly")
    ).as_dict()
