"""The contact-linking job: the service, and the task through a real worker on the real broker."""

import time
import uuid

import pytest
from django.conf import settings
from django.db import connection

from calls.contacts import contacts_link_calls
from calls.models import Call, Contact
from calls.tasks import link_contacts
from contactcenter.celery import app
from tests.celery_worker import Worker
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
def celery_worker_process(tmp_path):
    """A real Celery worker on the real broker, reading the test database, on its own queue;
    the test gets its process."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = Worker(
        queue=queue, broker_url=settings.CELERY_BROKER_URL, log_dir=tmp_path, name="worker"
    ).start()
    eager, default_queue = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        yield worker.process
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = eager, default_queue
        worker.process.terminate()
        worker.process.wait(timeout=30)


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
