"""The contact-linking job: the service, and the task through a real worker on the real broker."""

import os
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection

from calls.contacts import contacts_link_calls
from calls.models import Call, Contact
from calls.tasks import link_contacts
from contactcenter.celery import app
from tests.factories import CallFactory, ContactFactory, ProjectFactory


@pytest.mark.django_db
def test_links_calls_to_existing_and_new_contacts_once():
    project = ProjectFactory()
    known = ContactFactory(project=project, phone="+74950000001", name="Ivan Petrov")
    CallFactory.create_batch(2, project=project, caller="+74950000001")
    CallFactory.create_batch(3, project=project, caller="+74950000002")
    CallFactory(project=project, caller="")  # withheld number: no contact
    other_project_call = CallFactory(caller="+74950000002")

    assert contacts_link_calls(project_id=project.id) == 5
    assert contacts_link_calls(project_id=project.id) == 0  # a re-run changes nothing

    assert Call.objects.filter(contact=known).count() == 2
    new = Contact.objects.get(project=project, phone="+74950000002")
    assert Call.objects.filter(contact=new).count() == 3
    assert Contact.objects.filter(project=project).count() == 2
    other_project_call.refresh_from_db()
    assert other_project_call.contact is None


@pytest.fixture
def celery_worker_process():
    """A real Celery worker on the real broker, reading the test database, on its own queue."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "contactcenter.settings.test",
        "DATABASE_URL": (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
    }
    worker = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "contactcenter",
            "worker",
            "-Q",
            queue,
            "--pool",
            "solo",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "warning",
        ],
        env=env,
        cwd=settings.BASE_DIR,
    )
    eager, default_queue = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        yield worker
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = eager, default_queue
        worker.terminate()
        worker.wait(timeout=30)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_task_runs_on_a_real_worker(celery_worker_process):
    project = ProjectFactory()
    CallFactory.create_batch(4, project=project, caller="+74951112233")

    link_contacts.delay(project.id)

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if not Call.objects.filter(project=project, contact__isnull=True).exists():
            break
        assert celery_worker_process.poll() is None, "the worker died"
        time.sleep(0.2)
    connection.close()
    contact = Contact.objects.get(project=project, phone="+74951112233")
    assert Call.objects.filter(project=project, contact=contact).count() == 4
