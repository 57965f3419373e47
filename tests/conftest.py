"""Personas and shared fixtures. Tests use a real database (SQLite or PostgreSQL), never mocks."""

import pytest
from django.core.cache import cache

from tests.factories import UnitFactory, user_with_role
from units.models import Unit
from units.roles import Role
from units.services import units_load_fixture


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage needs collectstatic; tests render templates without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    # Django's cache (LocMemCache) outlives each test's database: figures cached by one test (the
    # dashboard's) must not be found by the next one, whose rows may have the same primary keys.
    cache.clear()


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    # No worker in tests: background tasks run inside enqueue() (after the commit they wait for).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def ha_nam(db):
    """The real Hà Nam 2022 registry, loaded from fixtures/."""
    units_load_fixture()
    return Unit.objects.all()


@pytest.fixture
def unit_a(db):
    return UnitFactory(kind=Unit.Kind.DISTRICT, name="Ủy ban nhân dân huyện Alpha", short_name="Huyện Alpha")


@pytest.fixture
def unit_b(db):
    return UnitFactory(kind=Unit.Kind.DEPARTMENT, name="Sở Beta tỉnh Hà Nam", short_name="Sở Beta")


@pytest.fixture
def coordinator(db):
    return user_with_role(Role.COORDINATOR, username="coordinator", is_staff=True)


@pytest.fixture
def inspector(db):
    return user_with_role(Role.INSPECTOR, username="inspector")


@pytest.fixture
def leader(db):
    return user_with_role(Role.LEADERSHIP, username="leader")


@pytest.fixture
def user_a(unit_a):
    return user_with_role(Role.UNIT_STAFF, username="user_a", unit=unit_a)


@pytest.fixture
def user_b(unit_b):
    return user_with_role(Role.UNIT_STAFF, username="user_b", unit=unit_b)
