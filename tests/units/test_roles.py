"""user_roles: the role names read once per user object, in one query; the layout's links."""

from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import user_with_role
from units.models import User
from units.roles import Role, has_role, is_province_wide, user_roles


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
