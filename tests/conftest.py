"""Shared fixtures: an API client per role, authenticated by a real token, and the bare
client, project and operator that modules of several folders build alike."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import (
    ClientFactory,
    IntegrationAccountFactory,
    OperatorFactory,
    ProjectFactory,
    TokenFactory,
    UserFactory,
)


def pytest_sessionstart(session):
    """Compile a Russian catalogue whose .mo is missing or stale (``make test`` compiles
    them all first; a bare ``pytest`` run needs this)."""
    from contactcenter.catalogues import compile_stale

    compile_stale()


def _seed_migration_rows() -> None:
    """Put back the rows the migrations seed (the break reasons) where a flush took them."""
    import importlib

    from agents.models import BreakReason

    seeded = importlib.import_module("agents.migrations.0006_wrap_and_break_reasons")
    if BreakReason.objects.count() < len(seeded.REASONS):
        for code, name in seeded.REASONS:
            BreakReason.objects.get_or_create(code=code, defaults={"name": name})


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (browser, worker, fault tests) ends with a flush of every table,
    which also takes the rows the migrations seed. Once its fixtures are torn down (the
    flush included), they are put back, so every later test, and every module-scoped
    fixture, sees the database the migrations made."""
    result = yield
    uses = {"db", "transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
    if uses or item.get_closest_marker("django_db") is not None:
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            _seed_migration_rows()
    return result


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with empty API rate and failed-token counters (the cache is this
    process's memory in tests), so no test is throttled for what an earlier one did."""
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language(settings):
    """A request in Russian (LocaleMiddleware) leaves the thread's language active after the
    response; each test starts and ends in the settings' language, so no later test reads
    Russian messages for what an earlier one asked."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _client_for(user):
    token = TokenFactory(user=user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    api.user = user
    return api


@pytest.fixture
def anon_api():
    return APIClient()


@pytest.fixture
def admin_api(db):
    return _client_for(UserFactory(username="root", is_staff=True, is_superuser=True))


@pytest.fixture
def pm_project(db):
    return ProjectFactory(code="pm-hotline")


@pytest.fixture
def pm_api(pm_project):
    """A project manager (staff, not superuser) who manages ``pm_project`` only."""
    user = UserFactory(username="pm", is_staff=True)
    pm_project.managers.add(user)
    return _client_for(user)


@pytest.fixture
def integration_client(db):
    return ClientFactory(code="integrated")


@pytest.fixture
def integration_api(integration_client):
    """An integration token bound to ``integration_client``."""
    account = IntegrationAccountFactory(
        user=UserFactory(username="crm-bot"), client=integration_client
    )
    return _client_for(account.user)


# Look-alike objects many folders build the same way; a module that needs another
# shape defines its own fixture of the same name, which overrides these.


@pytest.fixture
def acme(db):
    """A bare client ``acme``."""
    return ClientFactory(code="acme")


@pytest.fixture
def hotline(db):
    """A bare project ``hotline`` (its own client, default settings)."""
    return ProjectFactory(code="hotline")


@pytest.fixture
def project(db):
    """The same bare project ``hotline``, for modules that call it ``project``."""
    return ProjectFactory(code="hotline")


@pytest.fixture
def ivan(db):
    """A bare operator ``ivan``."""
    return OperatorFactory(code="ivan")
