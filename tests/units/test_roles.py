"""user_roles: the role names read once per user object, in one query; the layout's links."""

from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import user_with_role
from units.models import User
from units.roles import ROLE_PERMISSIONS, Role, has_role, is_province_wide, role_has_perm, user_roles


def test_roles_are_read_once_per_user_object(db):
    user = user_with_role(Role.INSPECTOR, username="roles")
    user.groups.add(Group.objects.create(name="not a role"))
    user = User.objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as queries:
        assert user_roles(user) == {"inspector", "not a role"}
        assert has_role(user, Role.INSPECTOR) and is_province_wide(user)
    assert len(queries) == 1


def test_a_role_taken_away_shows_on_the_next_request(client, db):
    user = user_with_role(Role.COORDINATOR, username="roles")
    client.force_login(user)
    assert client.get(reverse("reports:dashboard_latest")).status_code == 200
    user.groups.clear()
    assert client.get(reverse("reports:dashboard_latest")).status_code == 404


def test_the_layout_links_resolve(client, db):
    user = user_with_role(Role.UNIT_STAFF, username="roles")
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    for name in ["home", "password_change", "logout", "set_language", "inspections:remediation_list"]:
        assert f'="{reverse(name)}"' in html


def test_permissions_come_from_the_roles_with_no_query(db):
    coordinator = User.objects.get(pk=user_with_role(Role.COORDINATOR, username="c").pk)
    unit_staff = User.objects.get(pk=user_with_role(Role.UNIT_STAFF, username="u").pk)
    user_roles(coordinator), user_roles(unit_staff)  # read once per request object, as the layout does
    with CaptureQueriesContext(connection) as queries:
        assert role_has_perm(coordinator, "inspections.change_inspectionplan")
        assert role_has_perm(coordinator, "units.change_unit")
        assert not role_has_perm(unit_staff, "inspections.change_inspectionplan")
        assert not role_has_perm(unit_staff, "units.change_unit")
    assert len(queries) == 0
    # The same answers as Django's permissions on the groups that migrate keeps in step.
    for perm in ROLE_PERMISSIONS[Role.COORDINATOR]:
        assert coordinator.has_perm(perm) and role_has_perm(coordinator, perm)


def test_superusers_have_every_permission_and_inactive_users_none(db):
    boss = user_with_role(Role.UNIT_STAFF, username="boss", is_superuser=True)
    assert role_has_perm(boss, "inspections.change_inspectionplan")
    gone = user_with_role(Role.COORDINATOR, username="gone", is_active=False)
    assert not role_has_perm(gone, "inspections.change_inspectionplan")
