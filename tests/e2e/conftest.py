"""Real-browser journeys: Playwright (sync API) on Debian's Chromium against pytest-django's live_server.

One browser per session, one context (cookies, downloads) per test. Without Chromium or the
playwright package the tests are skipped with the reason; with CCHC_REQUIRE_BROWSER=1 (CI) that is
a failure instead.
"""

import os

import pytest

# Playwright's sync API runs an event loop in the main thread; the test code still touches the ORM.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, CSP_LISTENER, TIMEOUT_MS, browser_missing  # noqa: E402

# The 2022 plan with its team and visits, made as the page tests make them.
from tests.inspections.conftest import (  # noqa: E402, F401
    home_affairs,
    inspector_member,
    lead,
    media_root,
    plan,
    visit_a,
    visit_b,
)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_missing("playwright is not installed: pip install -r requirements-dev.txt")
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        browser_missing(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """MD5 for every persona: logging in through the form stays real, only cheaper."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def context(browser):
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(CSP_LISTENER)
    yield context
    context.close()


@pytest.fixture
def page(context):
    """A tab; every journey also fails if the browser refused anything under the CSP on its way."""
    page = context.new_page()
    refused = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    yield page
    if refused:
        pytest.fail("Content-Security-Policy refusals during the journey:\n" + "\n".join(refused), pytrace=False)


@pytest.fixture
def console_errors(page) -> list[str]:
    """The console errors of `page` (a CSP refusal is reported there too)."""
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return errors
