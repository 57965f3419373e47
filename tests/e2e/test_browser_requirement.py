"""Without a browser the journeys are skipped with the reason, except in CI where that fails them."""

import pytest

from tests.e2e.browser import browser_missing

REASON = "Chromium not found at /usr/bin/chromium: apt-get install chromium"


def test_a_missing_browser_skips_the_journeys_and_says_why(monkeypatch):
    monkeypatch.delenv("CCHC_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match=REASON):
        browser_missing(REASON)


def test_in_ci_a_missing_browser_fails_the_journeys(monkeypatch):
    monkeypatch.setenv("CCHC_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="CCHC_REQUIRE_BROWSER=1"):
        browser_missing(REASON)
