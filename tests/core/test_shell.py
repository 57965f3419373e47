import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse


def test_bootstrap_comes_from_an_installed_package_not_the_repo():
    css = finders.find("bootstrap/css/bootstrap.min.css")
    js = finders.find("bootstrap/js/bootstrap.bundle.min.js")
    assert css and js
    assert "site-packages" in css and "site-packages" in js
    assert not (settings.BASE_DIR / "static" / "bootstrap").exists()


def test_no_template_loads_anything_from_the_internet():
    for path in (settings.BASE_DIR / "templates").rglob("*.html"):
        text = path.read_text("utf-8")
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), path


@pytest.mark.django_db
def test_bootstrap_is_served_by_whitenoise(settings):
    from django.test import Client

    # As under the run command: WhiteNoise serves straight from the installed packages.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = Client().get(settings.STATIC_URL + "bootstrap/css/bootstrap.min.css")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert b"Bootstrap" in b"".join(response.streaming_content)[:200]


@pytest.mark.django_db
def test_pages_show_messages_and_the_vietnamese_shell(client, leader):
    client.force_login(leader)
    html = client.get(reverse("home")).content.decode()
    assert 'lang="vi"' in html
    assert "bootstrap/css/bootstrap.min.css" in html
    assert "Đăng xuất" in html


@pytest.mark.django_db
def test_404_page_is_vietnamese(client, leader):
    client.force_login(leader)
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_500_page_renders_without_a_request_context():
    from django.template import loader

    html = loader.get_template("500.html").render()
    assert "Lỗi hệ thống" in html


@pytest.mark.django_db
def test_dates_render_day_first_in_templates(leader):
    import datetime

    from django.template import Context, Template

    html = Template("{{ d }}|{{ d|date:'SHORT_DATE_FORMAT' }}").render(Context({"d": datetime.date(2026, 6, 5)}))
    assert html == "05/06/2026|05/06/2026"


def test_no_template_prints_a_primary_key_with_thousand_separators():
    """USE_THOUSAND_SEPARATOR would print pk 4712 as "4.712" in an id or a form value: unlocalize it."""
    bare = re.compile(r"\{\{\s*[\w.]+\.(pk|id)\s*\}\}")
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}:{n}"
        for path in (settings.BASE_DIR / "templates").rglob("*.html")
        for n, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if bare.search(line)
    ]
    assert offenders == []
