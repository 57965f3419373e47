"""The security log (`cchc.security`): logins, failures, lockouts, logouts and refusals, with who,
when and where."""

import datetime
import logging

import pytest
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _setup(settings, caplog):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_FAILURE_LIMIT = 3
    caplog.set_level(logging.INFO, logger="cchc.security")


def security_records(caplog, event=None):
    return [r for r in caplog.records if r.name == "cchc.security" and (event is None or r.event == event)]


def post_login(client, username, password, ip="10.0.0.7"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def assert_where(record, *, username, ip, method, path):
    assert (record.username, record.ip, record.method, record.path) == (username, ip, method, path)
    assert f"username={username}" in record.getMessage()
    assert f"ip={ip}" in record.getMessage()


def test_a_login_is_logged_with_who_when_and_where(client, caplog, user_a):
    with freeze_time(NOW):
        post_login(client, "user_a", TEST_PASSWORD)
    [record] = security_records(caplog, "login")
    assert record.levelno == logging.INFO
    assert_where(record, username="user_a", ip="10.0.0.7", method="POST", path=reverse("login"))
    assert record.created == NOW.timestamp()


def test_a_failed_login_is_logged_without_the_password(client, caplog, user_a):
    post_login(client, "user_a", "mat-khau-sai-bi-mat")
    [record] = security_records(caplog, "login_failed")
    assert record.levelno == logging.WARNING
    assert_where(record, username="user_a", ip="10.0.0.7", method="POST", path=reverse("login"))
    assert "mat-khau-sai-bi-mat" not in record.getMessage()
    assert not security_records(caplog, "login")


def test_a_failed_login_for_an_unknown_username_is_logged(client, caplog, db):
    post_login(client, "khong-ton-tai", "x")
    [record] = security_records(caplog, "login_failed")
    assert record.username == "khong-ton-tai"


def test_a_lockout_is_logged_and_so_is_each_refused_attempt(client, caplog, user_a):
    for _ in range(3):
        post_login(client, "user_a", "sai")
    [lockout] = security_records(caplog, "lockout")
    assert lockout.levelno == logging.WARNING
    assert_where(lockout, username="user_a", ip="10.0.0.7", method="POST", path=reverse("login"))
    post_login(client, "user_a", TEST_PASSWORD)
    assert len(security_records(caplog, "lockout")) == 2
    assert len(security_records(caplog, "login_failed")) == 4
    assert not security_records(caplog, "login")


def test_a_logout_is_logged(client, caplog, user_a):
    client.force_login(user_a)
    client.post(reverse("logout"), REMOTE_ADDR="10.0.0.8")
    [record] = security_records(caplog, "logout")
    assert_where(record, username="user_a", ip="10.0.0.8", method="POST", path=reverse("logout"))


def test_a_404_on_another_units_object_is_logged(client, caplog, user_a, unit_b):
    client.force_login(user_a)
    url = reverse("units:detail", args=[unit_b.pk])
    with freeze_time(NOW):
        assert client.get(url, REMOTE_ADDR="10.0.0.9").status_code == 404
    [record] = security_records(caplog, "refused")
    assert record.levelno == logging.WARNING
    assert record.status == 404
    assert_where(record, username="user_a", ip="10.0.0.9", method="GET", path=url)
    assert "status=404" in record.getMessage()
    assert record.created == NOW.timestamp()


def test_a_403_is_logged(client, caplog, user_a):
    client.force_login(user_a)
    url = reverse("admin:index")
    assert client.post(url, REMOTE_ADDR="10.0.0.9").status_code == 403
    [record] = security_records(caplog, "refused")
    assert record.status == 403
    assert_where(record, username="user_a", ip="10.0.0.9", method="POST", path=url)


def test_pages_the_user_may_see_log_no_refusal(client, caplog, user_a, unit_a):
    client.force_login(user_a)
    assert client.get(reverse("units:detail", args=[unit_a.pk])).status_code == 200
    assert not security_records(caplog, "refused")


def test_an_expired_session_is_logged(caplog, user_a):
    with freeze_time(NOW) as clock:
        client = Client()
        client.force_login(user_a)
        clock.tick(datetime.timedelta(minutes=31))
        client.get(reverse("home"), REMOTE_ADDR="10.0.0.9")
    [record] = security_records(caplog, "session_expired")
    assert record.reason == "idle"
    assert_where(record, username="user_a", ip="10.0.0.9", method="GET", path=reverse("home"))
