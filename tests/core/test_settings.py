import datetime
import os
import subprocess
import sys
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import formats, translation

PROJECT = settings.BASE_DIR


def run_settings(env_extra: dict, code: str):
    """Import the settings in a fresh interpreter with only `env_extra` set (no .env file)."""
    env = {"PATH": os.environ["PATH"], "DJANGO_ENV_FILE": "", **env_extra}
    return subprocess.run(
        [sys.executable, "-c", "import cchc_inspection.settings as s\n" + code],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_database_url_the_app_uses_an_sqlite_file_in_the_project_folder():
    result = run_settings(
        {"DJANGO_SECRET_KEY": "x" * 50, "DJANGO_ALLOWED_HOSTS": "example.org"},
        "d = s.DATABASES['default']; print(d['ENGINE'], d['NAME'], s.DEBUG)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", str(PROJECT / "db.sqlite3"), "False"]


def test_database_url_switches_to_postgresql():
    result = run_settings(
        {"DJANGO_DEBUG": "true", "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/cchc"},
        "d = s.DATABASES['default']; print(d['ENGINE'], d['NAME'], d['HOST'])",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "cchc", "127.0.0.1"]


def test_with_nothing_set_debug_is_off_and_start_fails_naming_what_is_missing():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=PROJECT,
        env={"PATH": os.environ["PATH"], "DJANGO_ENV_FILE": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS" in result.stderr


def test_debug_off_without_secret_key_names_only_the_secret_key():
    result = run_settings({"DJANGO_DEBUG": "false", "DJANGO_ALLOWED_HOSTS": "example.org"}, "")
    assert result.returncode != 0
    assert "required: DJANGO_SECRET_KEY." in result.stderr
    assert "DJANGO_ALLOWED_HOSTS" not in result.stderr.split("required:")[1]


def test_debug_off_without_allowed_hosts_names_allowed_hosts():
    result = run_settings({"DJANGO_SECRET_KEY": "x" * 50}, "")
    assert result.returncode != 0
    assert "required: DJANGO_ALLOWED_HOSTS." in result.stderr


def test_language_and_time_zone():
    assert settings.LANGUAGE_CODE == "vi"
    assert [code for code, _ in settings.LANGUAGES] == ["vi", "en"]
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert settings.USE_TZ is True


def test_vietnamese_dates_are_day_first():
    with translation.override("vi"):
        field = forms.DateField()
        assert field.clean("05/06/2026") == datetime.date(2026, 6, 5)
        assert formats.date_format(datetime.date(2026, 6, 5), "SHORT_DATE_FORMAT") == "05/06/2026"
        assert formats.date_format(datetime.date(2026, 6, 5)) == "05/06/2026"


def test_vietnamese_numbers_group_with_dots_and_use_a_decimal_comma():
    with translation.override("vi"):
        assert formats.number_format(Decimal("1234567.5"), decimal_pos=1) == "1.234.567,5"
        assert formats.localize(1234567) == "1.234.567"
        assert forms.DecimalField(localize=True).clean("1.234.567,5") == Decimal("1234567.5")


def test_english_keeps_day_first_dates():
    with translation.override("en"):
        assert forms.DateField().clean("05/06/2026") == datetime.date(2026, 6, 5)
        assert formats.date_format(datetime.date(2026, 6, 5)) == "05/06/2026"
