import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Pages reachable without login (the ICS feeds authenticate by their unguessable token).
PUBLIC = {"login", "set_language", "logout", "inspections:feed_member", "inspections:feed_unit"}
SAMPLE_KWARGS = {"app_label": "units", "model_name": "unit"}


def named_patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            yield from named_patterns(entry, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def sample_url(name, pattern):
    kwargs = {key: SAMPLE_KWARGS.get(key, "1") for key in pattern.pattern.regex.groupindex}
    return reverse(name, kwargs=kwargs)


ALL_URLS = sorted({name: sample_url(name, p) for name, p in named_patterns()}.items())


def test_the_walk_covers_the_app_and_the_admin():
    names = dict(ALL_URLS)
    assert {"home", "units:list", "units:detail", "admin:index", "admin:units_unit_changelist"} <= names.keys()


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "url"), [(n, u) for n, u in ALL_URLS if n not in PUBLIC])
def test_anonymous_is_sent_to_login_from_every_page(client, name, url):
    for method in (client.get, client.post):
        # Admin pages pass through the admin's login URL, which hands over to the app's login page.
        response = method(url, follow=True)
        final_url, _status = response.redirect_chain[-1]
        assert final_url.startswith(reverse("login") + "?next="), (name, response.redirect_chain)
        assert response.status_code == 200
        assert "registration/login.html" in [t.name for t in response.templates]


@pytest.mark.django_db
def test_login_page_is_public_and_in_vietnamese(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đăng nhập" in html
    assert "Tên đăng nhập" in html


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["admin:index", "admin:units_unit_changelist", "admin:units_user_changelist"])
def test_unit_user_gets_403_from_admin(client, user_a, name):
    client.force_login(user_a)
    response = client.get(reverse(name))
    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.content.decode()


@pytest.mark.django_db
def test_unit_user_gets_403_from_admin_login_too(client, user_a):
    client.force_login(user_a)
    assert client.get(reverse("admin:login")).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["inspector", "leader"])
def test_non_staff_roles_get_403_from_admin(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("admin:index")).status_code == 403


@pytest.mark.django_db
def test_coordinator_uses_the_admin_for_units(client, coordinator, unit_a):
    client.force_login(coordinator)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:units_unit_changelist"), {"q": "alpha"}).status_code == 200
    assert client.get(reverse("admin:units_unit_change", args=[unit_a.pk])).status_code == 200


@pytest.mark.django_db
def test_coordinator_admin_change_keeps_the_parent_rules(client, coordinator, unit_a):
    client.force_login(coordinator)
    url = reverse("admin:units_unit_add")
    response = client.post(
        url,
        {"kind": "commune", "name": "UBND xã Không Cha", "short_name": "Xã Không Cha", "code": "X1", "sort_order": 1},
    )
    assert response.status_code == 200
    assert "phải có đơn vị cấp trên" in response.content.decode()
    from units.models import Unit

    assert not Unit.objects.filter(code="X1").exists()


@pytest.mark.django_db
def test_anonymous_admin_login_goes_to_the_app_login(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_logout_ends_the_session(client, user_a):
    client.force_login(user_a)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_login_with_the_right_password_lands_on_home(client, user_a):
    from tests.factories import TEST_PASSWORD

    response = client.post(reverse("login"), {"username": "user_a", "password": TEST_PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 302
    assert response.url == reverse("home")


@pytest.mark.django_db
def test_login_with_a_wrong_password_shows_a_vietnamese_error(client, user_a):
    response = client.post(reverse("login"), {"username": "user_a", "password": "sai"}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
