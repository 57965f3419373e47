"""Login hardening: django-axes lockout on username + IP, and the password rules."""

import datetime

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from freezegun import freeze_time

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

LOCKED_TEXT = "Bạn đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 30 phút."
GOOD_PASSWORD = "Thanh-tra-CCHC-2026!"


@pytest.fixture(autouse=True)
def _lockout_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)


def post_login(client, username, password, ip="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


def lock_out(client, username="user_a", ip="10.0.0.1"):
    for _ in range(3):
        response = post_login(client, username, "sai-mat-khau", ip)
    return response


def test_failures_below_the_limit_show_the_form_again(client, user_a):
    for _ in range(2):
        response = post_login(client, "user_a", "sai-mat-khau")
        assert response.status_code == 200
        assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()


def test_the_failure_limit_locks_with_a_vietnamese_message(client, user_a):
    response = lock_out(client)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Tài khoản tạm khóa" in html
    assert LOCKED_TEXT in html
    assert "registration/locked.html" in [t.name for t in response.templates]


def test_the_limit_is_a_setting(client, user_a, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(4):
        assert post_login(client, "user_a", "sai-mat-khau").status_code == 200
    assert post_login(client, "user_a", "sai-mat-khau").status_code == 429


def test_the_right_password_is_refused_while_locked(client, user_a):
    lock_out(client)
    response = post_login(client, "user_a", TEST_PASSWORD)
    assert response.status_code == 429
    assert LOCKED_TEXT in response.content.decode()
    assert not signed_in(client)
    assert client.get(reverse("home")).status_code == 302


def test_the_same_user_from_another_ip_is_not_locked(client, user_a):
    lock_out(client, ip="10.0.0.1")
    response = post_login(client, "user_a", TEST_PASSWORD, ip="10.0.0.2")
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert signed_in(client)


def test_another_user_from_the_same_ip_is_not_locked(client, user_a, user_b):
    lock_out(client, username="user_a", ip="10.0.0.1")
    response = post_login(client, "user_b", TEST_PASSWORD, ip="10.0.0.1")
    assert response.status_code == 302
    assert signed_in(client)


def test_after_the_cool_off_the_right_password_works(client, user_a):
    with freeze_time("2026-03-02 01:00:00") as clock:
        lock_out(client)
        clock.tick(datetime.timedelta(minutes=29))
        assert post_login(client, "user_a", TEST_PASSWORD).status_code == 429
        # The cool-off runs from the last refused attempt (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT).
        clock.tick(datetime.timedelta(minutes=30, seconds=1))
        response = post_login(client, "user_a", TEST_PASSWORD)
        assert response.status_code == 302
        assert response.url == reverse("home")
        assert signed_in(client)


def test_a_successful_login_clears_earlier_failures(client, user_a):
    for _ in range(2):
        post_login(client, "user_a", "sai-mat-khau")
    assert post_login(client, "user_a", TEST_PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(2):
        assert post_login(client, "user_a", "sai-mat-khau").status_code == 200


# Passwords: Django's validators plus a 128-character cap, all with Vietnamese messages.


def password_errors(password, user=None) -> list[str]:
    with translation.override("vi"):
        try:
            validate_password(password, user)
        except ValidationError as error:
            return list(error.messages)
    return []


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("Ab1-xyz", "Mật khẩu quá ngắn. Mật khẩu phải có ít nhất 8 ký tự."),
        ("Xy7-" * 32 + "Q", "Mật khẩu quá dài. Mật khẩu chỉ được có tối đa 128 ký tự."),
        ("password", "Mật khẩu này quá phổ biến."),
        ("48205719366", "Mật khẩu này hoàn toàn là số."),
    ],
    ids=["7-chars", "129-chars", "common", "numeric"],
)
def test_weak_passwords_are_refused_in_vietnamese(password, expected):
    assert expected in password_errors(password)


def test_a_good_password_and_one_of_exactly_128_characters_are_accepted():
    assert password_errors(GOOD_PASSWORD) == []
    assert password_errors("Xy7-" * 32) == []


def test_the_password_help_names_the_limits():
    from django.contrib.auth.password_validation import password_validators_help_texts

    with translation.override("vi"):
        help_texts = " ".join(password_validators_help_texts())
    assert "8 ký tự" in help_texts
    assert "tối đa 128 ký tự" in help_texts


def test_the_menu_links_to_the_password_change_page(client, user_a):
    client.force_login(user_a)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("password_change")}"' in html
    assert "Đổi mật khẩu" in html


def change_password(client, new1, new2=None, old=TEST_PASSWORD):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new1, "new_password2": new2 or new1},
    )


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("Ab1-xyz", "Mật khẩu quá ngắn"),
        ("Xy7-" * 32 + "Q", "Mật khẩu quá dài"),
        ("password", "Mật khẩu này quá phổ biến."),
        ("48205719366", "Mật khẩu này hoàn toàn là số."),
    ],
    ids=["7-chars", "129-chars", "common", "numeric"],
)
def test_the_password_change_page_refuses_a_weak_password(client, user_a, password, expected):
    client.force_login(user_a)
    response = change_password(client, password)
    assert response.status_code == 200
    assert expected in response.content.decode()
    user_a.refresh_from_db()
    assert user_a.check_password(TEST_PASSWORD)


def test_the_password_change_page_refuses_a_wrong_old_password(client, user_a):
    client.force_login(user_a)
    response = change_password(client, GOOD_PASSWORD, old="khong-phai")
    assert response.status_code == 200
    assert "Mật khẩu cũ không chính xác" in response.content.decode()
    user_a.refresh_from_db()
    assert user_a.check_password(TEST_PASSWORD)


def test_the_password_change_page_accepts_a_good_password(client, user_a):
    client.force_login(user_a)
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert "Đổi mật khẩu" in page.content.decode()
    response = change_password(client, GOOD_PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    assert "Mật khẩu của bạn đã được đổi" in client.get(response.url).content.decode()
    user_a.refresh_from_db()
    assert user_a.check_password(GOOD_PASSWORD)
