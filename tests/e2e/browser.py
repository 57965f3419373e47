"""Helpers of the browser journeys: logging in through the form, reading CSP violations, files."""

import io
import os
import re
from pathlib import Path

import pytest
from pypdf import PdfWriter

from tests.factories import TEST_PASSWORD

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, in CI, fails) with the reason
    expect = None

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package: apt-get install chromium
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 15_000

# Registered on every page before its own scripts: each CSP violation is kept in window.__csp.
CSP_LISTENER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push({
    directive: event.violatedDirective,
    blocked: event.blockedURI,
    sample: event.sample,
    source: event.sourceFile,
    line: event.lineNumber,
  });
});
"""


def browser_missing(reason: str):
    """Skip the journeys, saying why; in CI (CCHC_REQUIRE_BROWSER=1) fail them instead."""
    if os.environ.get("CCHC_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (CCHC_REQUIRE_BROWSER=1: the browser journeys must run)", pytrace=False)
    pytest.skip(reason)


def log_in(page, live_server, user, password: str = TEST_PASSWORD):
    """Through the real login form (django-axes checks it); lands on the home page."""
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Xin chào"))).to_be_visible()
    return page


def log_out(page):
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()


def csp_violations(page) -> list[dict]:
    return page.evaluate("window.__csp || []")


def pdf_file(path) -> str:
    """A small valid one-page PDF written to `path` (for the upload fields)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    path.write_bytes(buffer.getvalue())
    return str(path)
