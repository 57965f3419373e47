"""Production settings: `check --deploy` is clean at WARNING level, every response carries the
security headers and a Content-Security-Policy, and an error page shows no stack trace."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import path, reverse

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_ENV_FILE": "",
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "test-only-" + "k3y-" * 12,
    "DJANGO_ALLOWED_HOSTS": "cchc.example.org",
}


def run_manage(*args, **extra_env):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "AXES_"))}
    env.update(PRODUCTION_ENV, **extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_at_warning_level_with_the_production_defaults():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_when_https_hardening_is_switched_off():
    # The check is the guard: turning HSTS off by its variable is reported.
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", DJANGO_SECURE_HSTS_SECONDS="0")
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout


def test_production_values():
    code = (
        "import cchc_inspection.settings as s\n"
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
        " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.X_FRAME_OPTIONS, s.SECURE_CONTENT_TYPE_NOSNIFF,"
        " s.SECURE_REFERRER_POLICY)"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(PRODUCTION_ENV)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.stdout.split() == ["True", "31536000", "True", "True", "True", "DENY", "True", "same-origin"]


@pytest.mark.django_db
def test_every_response_carries_the_security_headers(client, coordinator):
    for response in (client.get(reverse("login")), client.get("/khong-co-trang-nay/")):
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "object-src 'none'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.django_db
def test_no_page_template_carries_inline_script_or_style_attributes():
    # The policy refuses them; the browser journeys check the pages live (tests/e2e).
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        if "pdf" in template.parts:  # PDF templates are rendered by WeasyPrint, never served
            continue
        text = template.read_text()
        for needle in (' style="', " onclick=", " onchange=", " onsubmit=", " onload=", "javascript:"):
            if needle in text:
                offenders.append(f"{template.relative_to(ROOT)}: {needle.strip()}")
        if "<script>" in text or "<script " in text.replace("<script src=", ""):
            offenders.append(f"{template.relative_to(ROOT)}: inline <script>")
    assert offenders == []


def _boom(request):
    raise RuntimeError("secret internals: do not show")


urlpatterns = [path("boom/", _boom)]


@pytest.mark.django_db
@pytest.mark.urls("tests.core.test_production_settings")
def test_server_error_page_shows_no_stack_trace(client, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Lỗi hệ thống" in html
    for leak in ("Traceback", "RuntimeError", "secret internals", "_boom", "settings"):
        assert leak not in html
