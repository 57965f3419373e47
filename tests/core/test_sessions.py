"""Sessions: a new id at login; logout, deactivation and a password change end the other sessions;
idle and absolute timeouts (on a frozen clock)."""

import datetime

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from inspections.models import CalendarToken
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

EXPIRED = "Phiên làm việc đã hết hạn, vui lòng đăng nhập lại."
START = "2026-03-02 01:00:00"  # 08:00 in Hà Nội


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def signed_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def home_status(client) -> int:
    return client.get(reverse("home")).status_code


def test_login_gives_a_new_session_id(client, user_a):
    anonymous = client.session
    anonymous["seen_login_page"] = True
    anonymous.save()
    old_key = anonymous.session_key
    response = client.post(reverse("login"), {"username": "user_a", "password": TEST_PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 302
    new_key = client.cookies["sessionid"].value
    assert new_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()
    assert client.session[SESSION_KEY] == str(user_a.pk)


def test_logout_ends_the_users_other_sessions(user_a, user_b):
    desktop, laptop, other_user = signed_in_client(user_a), signed_in_client(user_a), signed_in_client(user_b)
    assert home_status(desktop) == home_status(laptop) == 200
    desktop.post(reverse("logout"))
    assert home_status(desktop) == 302
    assert home_status(laptop) == 302
    assert home_status(other_user) == 200


def test_after_logout_everywhere_a_new_login_works(client, user_a):
    laptop = signed_in_client(user_a)
    laptop.post(reverse("logout"))
    response = client.post(reverse("login"), {"username": "user_a", "password": TEST_PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 302
    assert home_status(client) == 200


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(user_a):
    desktop, laptop = signed_in_client(user_a), signed_in_client(user_a)
    response = desktop.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "Thanh-tra-CCHC-2026!",
            "new_password2": "Thanh-tra-CCHC-2026!",
        },
    )
    assert response.status_code == 302
    assert home_status(desktop) == 200
    assert home_status(laptop) == 302


def test_a_deactivated_users_session_is_logged_out_at_its_next_request(user_a):
    laptop = signed_in_client(user_a)
    assert home_status(laptop) == 200
    user_a.is_active = False
    user_a.save()
    response = laptop.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    # Reactivating the account does not bring the old session back.
    user_a.is_active = True
    user_a.save()
    assert home_status(laptop) == 302


def test_an_idle_session_expires_with_a_vietnamese_message(settings, user_a):
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    with freeze_time(START) as clock:
        client = signed_in_client(user_a)
        for _ in range(3):
            # Each request inside the idle window keeps the session alive.
            clock.tick(datetime.timedelta(minutes=29))
            assert home_status(client) == 200
        clock.tick(datetime.timedelta(minutes=30, seconds=1))
        response = client.get(reverse("units:list"))
        assert response.status_code == 302
        assert response.url == f"{reverse('login')}?next={reverse('units:list')}"
        login_page = client.get(response.url)
        assert EXPIRED in login_page.content.decode()
        assert SESSION_KEY not in client.session
        assert home_status(client) == 302


def test_a_busy_session_ends_at_the_absolute_timeout(settings, user_a):
    assert settings.SESSION_ABSOLUTE_TIMEOUT == 8 * 60 * 60
    with freeze_time(START) as clock:
        client = signed_in_client(user_a)
        # A request every 20 minutes for 8 hours: never idle.
        for _ in range(24):
            clock.tick(datetime.timedelta(minutes=20))
            assert home_status(client) == 200
        clock.tick(datetime.timedelta(seconds=1))
        response = client.get(reverse("home"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
        assert EXPIRED in client.get(response.url).content.decode()


def test_the_timeouts_are_settings(settings, user_a):
    settings.SESSION_IDLE_TIMEOUT = 5 * 60
    with freeze_time(START) as clock:
        client = signed_in_client(user_a)
        clock.tick(datetime.timedelta(minutes=4))
        assert home_status(client) == 200
        clock.tick(datetime.timedelta(minutes=5, seconds=1))
        assert home_status(client) == 302


def test_an_expired_session_does_not_end_the_users_other_sessions(user_a):
    with freeze_time(START) as clock:
        idle_laptop = signed_in_client(user_a)
        clock.tick(datetime.timedelta(minutes=31))
        desktop = signed_in_client(user_a)
        assert home_status(idle_laptop) == 302
        assert home_status(desktop) == 200


def test_the_login_page_still_works_for_an_expired_session(user_a):
    with freeze_time(START) as clock:
        client = signed_in_client(user_a)
        clock.tick(datetime.timedelta(minutes=31))
        response = client.get(reverse("login"))
        assert response.status_code == 200
        assert "registration/login.html" in [t.name for t in response.templates]
        response = client.post(
            reverse("login"), {"username": "user_a", "password": TEST_PASSWORD}, REMOTE_ADDR="10.0.0.1"
        )
        assert response.status_code == 302
        assert home_status(client) == 200


def test_the_calendar_feed_works_without_a_session_and_with_an_expired_one(user_a):
    token = CalendarToken.objects.get_or_create(user=user_a)[0].token
    url = reverse("inspections:feed_unit", args=[token])
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "sessionid" not in response.cookies
    with freeze_time(START) as clock:
        browser = signed_in_client(user_a)
        clock.tick(datetime.timedelta(minutes=31))
        response = browser.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")


def test_the_last_activity_is_written_at_most_once_a_minute(user_a):
    with freeze_time(START) as clock:
        client = signed_in_client(user_a)
        assert home_status(client) == 200
        key = client.cookies["sessionid"].value
        saved = Session.objects.get(session_key=key).session_data
        clock.tick(datetime.timedelta(seconds=30))
        assert home_status(client) == 200
        assert Session.objects.get(session_key=key).session_data == saved  # no write within the minute
        clock.tick(datetime.timedelta(seconds=31))
        assert home_status(client) == 200
        assert Session.objects.get(session_key=key).session_data != saved
