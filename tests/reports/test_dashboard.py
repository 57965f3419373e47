"""The leadership dashboard (charts and figures linked to their lists) and the summary's recommendations."""

import html
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve, reverse
from freezegun import freeze_time

from inspections.models import InspectionPlan
from reports import charts
from reports.models import SummaryNote
from reports.summary import summary_data
from tests.factories import UserFactory
from tests.inspections.factories import PlanFactory, flashed, page
from tests.reports import test_summary_data as known_data
from tests.reports.test_summary_data import RECOMMENDATIONS, TODAY, grow

pytestmark = pytest.mark.usefixtures("fast_passwords", "media_root")

# The 2022 plan and the known data set of the summary tests.
fast_passwords = known_data.fast_passwords
media_root = known_data.media_root
home_affairs = known_data.home_affairs
plan = known_data.plan
lead = known_data.lead
inspector_member = known_data.inspector_member
visit_a = known_data.visit_a
visit_b = known_data.visit_b
lead_user = known_data.lead_user
known = known_data.known

SVG = "{http://www.w3.org/2000/svg}"
NEW_TEXT = "1. Đề nghị UBND tỉnh biểu dương các đơn vị làm tốt.\n2. Đề nghị Sở Tài chính bố trí kinh phí số hóa."


def dashboard_url(plan):
    return reverse("reports:dashboard", args=[plan.pk])


def note_url(plan):
    return reverse("reports:summary_note", args=[plan.pk])


@pytest.fixture
def data(known):
    with freeze_time(TODAY):
        return summary_data(known["plan"])


# --- Charts ----------------------------------------------------------------------------------


def all_charts(data) -> dict[str, str]:
    return {
        "visits": charts.visits_chart(data["organisation"]["visits"], {"done": "/ke-hoach/1/lich/?status=done"}),
        "reports": charts.reports_chart(data["organisation"]["reports"], {"late": "/ke-hoach/1/tong-hop/"}),
        "areas": charts.findings_by_area_chart(data["areas"], {3: "/ke-hoach/1/tong-hop/"}),
        "remediation": charts.remediation_chart(
            data["remediation"], {"overdue": "/khac-phuc/?plan=1&overdue=on", "open": "/khac-phuc/?plan=1&status=open"}
        ),
    }


def test_charts_are_valid_svg_with_vietnamese_labels(data):
    rendered = all_charts(data)
    expected = {
        "visits": ["Kiểm tra trực tiếp: 1/4 đơn vị đã kiểm tra", "Đã kiểm tra (1)", "Chưa lên lịch (1)"],
        "reports": ["Báo cáo trước buổi kiểm tra", "Đúng hạn (1)", "Muộn (1)", "Chưa gửi (quá hạn) (1)"],
        "areas": ["Ưu điểm và tồn tại, hạn chế theo nội dung kiểm tra", "Ưu điểm", "Tồn tại, hạn chế"],
        "remediation": ["Yêu cầu khắc phục: 1/3 đã hoàn thành", "Chưa báo cáo (2)", "Quá hạn (2)"],
    }
    for name, svg in rendered.items():
        assert isinstance(svg, str) and not svg.startswith("<?xml")
        root = ET.fromstring(svg)
        assert root.tag == f"{SVG}svg"
        assert root.get("viewBox") == "0 0 640 360"
        texts = " ".join(t.strip() for t in root.itertext())
        for label in expected[name]:
            assert label in texts, (name, label)
        assert "font-family:Liberation Sans,DejaVu Sans,sans-serif" in svg


def test_charts_load_nothing_from_the_internet_and_run_no_script(data):
    for name, svg in all_charts(data).items():
        assert "<script" not in svg, name
        assert "<!--" not in svg, name
        assert "<?xml-stylesheet" not in svg
        urls = set(re.findall(r"https?://[^\s\"'<>)]+", svg))
        assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, (name, urls)
        assert "googleapis" not in svg


def test_chart_bars_link_to_their_lists(data):
    rendered = all_charts(data)
    root = ET.fromstring(rendered["remediation"])
    hrefs = [a.get("{http://www.w3.org/1999/xlink}href") for a in root.iter(f"{SVG}a")]
    assert "/khac-phuc/?plan=1&overdue=on" in hrefs and "/khac-phuc/?plan=1&status=open" in hrefs
    assert all(a.get("target") is None for a in root.iter(f"{SVG}a"))  # same tab
    root = ET.fromstring(rendered["visits"])
    assert [a.get("{http://www.w3.org/1999/xlink}href") for a in root.iter(f"{SVG}a")] == [
        "/ke-hoach/1/lich/?status=done"
    ]


def test_charts_with_nothing_yet_say_so(data):
    empty = {"done": 0, "scheduled": 0, "cancelled": 0, "unscheduled": 0, "total": 0}
    svg = charts.visits_chart(empty)
    ET.fromstring(svg)
    assert "Chưa có số liệu" in svg


# --- Access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["leader", "coordinator", "inspector"])
def test_province_wide_roles_see_the_dashboard(client, request, known, persona):
    client.force_login(request.getfixturevalue(persona))
    with freeze_time(TODAY):
        response = client.get(dashboard_url(known["plan"]))
    assert response.status_code == 200
    body = html.unescape(page(response))
    assert "Tổng quan kết quả kiểm tra CCHC năm 2022" in body
    assert body.count("<svg") == 5
    assert RECOMMENDATIONS in body


def test_unit_staff_get_404(client, known, user_a):
    client.force_login(user_a)
    assert client.get(dashboard_url(known["plan"])).status_code == 404
    assert client.get(reverse("reports:dashboard_latest")).status_code == 404
    assert client.get(note_url(known["plan"])).status_code == 404
    assert client.post(note_url(known["plan"]), {"recommendations": NEW_TEXT}).status_code == 404


def test_anonymous_is_sent_to_login(client, known):
    for url in [dashboard_url(known["plan"]), reverse("reports:dashboard_latest"), note_url(known["plan"])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_an_unknown_plan_is_404(client, leader, db):
    client.force_login(leader)
    assert client.get(reverse("reports:dashboard", args=[999])).status_code == 404


# --- What the dashboard shows -----------------------------------------------------------------


def hrefs_of(body: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]+)"', body)]


def test_every_link_on_the_dashboard_resolves(client, coordinator, known):
    client.force_login(coordinator)
    with freeze_time(TODAY):
        body = page(client.get(dashboard_url(known["plan"])))
    hrefs = {h for h in hrefs_of(body) + re.findall(r'xlink:href="([^"]+)"', body) if not h.startswith("#")}
    assert hrefs
    for href in hrefs:
        href = html.unescape(href)
        if href.startswith("/static/"):
            continue
        try:
            resolve(urlsplit(href).path)
        except Resolver404:  # pragma: no cover - the assertion says which
            pytest.fail(f"{href} does not resolve")


def test_figures_link_to_the_lists_behind_them(client, coordinator, known):
    plan = known["plan"]
    client.force_login(coordinator)
    with freeze_time(TODAY):
        body = page(client.get(dashboard_url(plan)))
    hrefs = hrefs_of(body)
    remediation = reverse("inspections:remediation_list")
    schedule = reverse("inspections:schedule", args=[plan.pk])
    assert f"{schedule}?status=done" in hrefs
    assert f"{schedule}?status=scheduled" in hrefs
    assert reverse("inspections:plan_overview", args=[plan.pk]) in hrefs
    for status in ["open", "reported", "returned", "verified"]:
        assert f"{remediation}?plan={plan.pk}&status={status}" in hrefs
    assert f"{remediation}?plan={plan.pk}&overdue=on" in hrefs
    gamma = known["gamma"]
    assert reverse("inspections:self_inspection", args=[plan.pk, gamma.pk]) in hrefs
    # the charts link too, inside the SVG
    assert f'xlink:href="{remediation}?plan={plan.pk}&amp;overdue=on"' in body


def test_the_overdue_figure_is_red_and_districts_below_minimum_are_listed(client, leader, known):
    client.force_login(leader)
    with freeze_time(TODAY):
        body = page(client.get(dashboard_url(known["plan"])))
    overdue = (
        r'<a class="text-danger fw-semibold" href="[^"]*overdue=on" data-figure="remediation-overdue">2 quá hạn</a>'
    )
    assert re.search(overdue, body)
    below = body[body.index('data-testid="below-minimum"') :]
    below = below[: below.index("</section>")]
    assert "Huyện Gamma" in below and "1/5 (20%)" in below and "text-danger" in below
    assert "Huyện Alpha" not in below


def test_the_recommendations_edit_link_is_only_for_coordinators(client, leader, coordinator, known):
    client.force_login(leader)
    assert note_url(known["plan"]) not in page(client.get(dashboard_url(known["plan"])))
    client.force_login(coordinator)
    assert note_url(known["plan"]) in page(client.get(dashboard_url(known["plan"])))


def test_the_summary_documents_are_asked_for_with_a_post(client, leader, known):
    client.force_login(leader)
    body = page(client.get(dashboard_url(known["plan"])))
    for kind in ["pdf", "xlsx", "docx"]:
        url = reverse("reports:summary_request", args=[known["plan"].pk, kind])
        assert f'<form method="post" action="{url}">' in body
    assert f"/bao-cao/tong-hop/{known['plan'].pk}/bao-cao.pdf" not in body


# --- The latest plan --------------------------------------------------------------------------


def test_latest_goes_to_the_newest_active_plan(client, leader, plan):
    PlanFactory(year=2030)  # a newer draft
    plan.status = InspectionPlan.Status.ACTIVE
    plan.save(update_fields=["status"])
    client.force_login(leader)
    response = client.get(reverse("reports:dashboard_latest"))
    assert response.status_code == 302 and response.url == dashboard_url(plan)


def test_latest_without_an_active_plan_goes_to_the_latest_one(client, leader, plan):
    newer = PlanFactory(year=2030)
    client.force_login(leader)
    assert client.get(reverse("reports:dashboard_latest")).url == dashboard_url(newer)


def test_latest_without_any_plan_says_so(client, leader):
    client.force_login(leader)
    response = client.get(reverse("reports:dashboard_latest"))
    assert response.status_code == 200
    assert "Chưa có kế hoạch kiểm tra nào để tổng hợp." in page(response)


def test_a_plan_with_nothing_yet_shows_zeros(client, coordinator, plan):
    client.force_login(coordinator)
    response = client.get(dashboard_url(plan))
    assert response.status_code == 200
    assert "Chưa có kiến nghị, đề xuất." in page(response)


# --- Recommendations ---------------------------------------------------------------------------


def test_coordinator_writes_the_recommendations(client, coordinator, plan):
    client.force_login(coordinator)
    response = client.get(note_url(plan))
    assert response.status_code == 200 and "Kiến nghị, đề xuất" in page(response)
    response = client.post(note_url(plan), {"recommendations": f"  {NEW_TEXT}  "})
    assert response.status_code == 302 and response.url == dashboard_url(plan)
    assert "Đã lưu kiến nghị, đề xuất." in flashed(response)
    note = SummaryNote.objects.get(plan=plan)
    assert (note.recommendations, note.updated_by) == (NEW_TEXT, coordinator)
    assert summary_data(plan)["recommendations"] == note.recommendations
    # a change is a new version in the history, with who made it
    client.post(note_url(plan), {"recommendations": "Không có kiến nghị."})
    note.refresh_from_db()
    assert note.recommendations == "Không có kiến nghị."
    assert note.history.count() == 2
    assert note.history.first().history_user == coordinator


def test_the_form_shows_the_current_text(client, coordinator, known):
    client.force_login(coordinator)
    assert RECOMMENDATIONS in html.unescape(page(client.get(note_url(known["plan"]))))


def test_too_long_recommendations_are_refused_and_nothing_changes(client, coordinator, known):
    client.force_login(coordinator)
    response = client.post(note_url(known["plan"]), {"recommendations": "x" * 20001})
    assert response.status_code == 400
    assert "Nội dung quá dài: tối đa 20000 ký tự" in html.unescape(page(response))
    assert SummaryNote.objects.get().recommendations == RECOMMENDATIONS


@pytest.mark.parametrize("persona", ["leader", "inspector"])
def test_read_only_roles_get_403(client, request, known, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(note_url(known["plan"])).status_code == 403
    assert client.post(note_url(known["plan"]), {"recommendations": NEW_TEXT}).status_code == 403
    assert SummaryNote.objects.get().recommendations == RECOMMENDATIONS


def test_a_closed_plan_refuses_changes_with_the_closed_message(client, coordinator, known):
    plan = known["plan"]
    plan.status = InspectionPlan.Status.CLOSED
    plan.save(update_fields=["status"])
    client.force_login(coordinator)
    response = client.post(note_url(plan), {"recommendations": NEW_TEXT})
    assert response.status_code == 403
    assert "Kế hoạch đã kết thúc: chỉ xem, không sửa." in page(response)
    assert SummaryNote.objects.get().recommendations == RECOMMENDATIONS
    assert client.get(note_url(plan)).status_code == 403
    body = page(client.get(dashboard_url(plan)))
    assert note_url(plan) not in body  # still readable, no edit link


# --- A fixed number of queries ---------------------------------------------------------------


@pytest.mark.parametrize("persona", ["leader", "coordinator"])
def test_the_dashboard_makes_as_many_queries_for_20_units_of_each_kind_as_for_3(client, request, known, persona):
    plan = known["plan"]
    client.force_login(request.getfixturevalue(persona))
    user = UserFactory()
    url = dashboard_url(plan)
    grow(plan, 3, user)
    client.get(url)  # session and caches warmed once
    cache.clear()  # the figures computed, not read from the cache
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    grow(plan, 17, user)
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), "\n".join(q["sql"] for q in many.captured_queries)


# --- Cached figures ----------------------------------------------------------------------------


def test_the_second_request_reads_the_figures_from_the_cache(client, leader, known):
    client.force_login(leader)
    url = dashboard_url(known["plan"])
    with CaptureQueriesContext(connection) as first:
        first_body = page(client.get(url))
    with CaptureQueriesContext(connection) as second:
        second_body = page(client.get(url))
    assert len(second) <= len(first) - 8, (len(first), len(second))  # summary_data alone makes 9
    assert not any("reports_summarynote" in q["sql"] for q in second.captured_queries)
    computed_at = re.compile(r'data-testid="computed-at">Số liệu lúc (\d\d:\d\d \d\d/\d\d/\d{4})</span>')
    assert computed_at.search(first_body).group(1) == computed_at.search(second_body).group(1)


def test_a_change_to_the_data_shows_at_once(client, leader, known):
    client.force_login(leader)
    plan, url = known["plan"], dashboard_url(known["plan"])
    before = client.get(url).context
    client.get(url)  # from the cache
    grow(plan, 1, UserFactory())  # saves of visits, files, findings, actions...: their signals
    after = client.get(url).context
    assert after["org"]["direct_count"] == before["org"]["direct_count"] + 1
    assert after["rem"]["total"] == before["rem"]["total"] + 1
    assert after["data"]["computed_at"] >= before["data"]["computed_at"]

    SummaryNote.objects.filter(plan=plan).delete()
    assert "Chưa có kiến nghị, đề xuất." in page(client.get(url))


def test_a_change_without_a_signal_shows_after_the_cache_seconds(client, leader, known, settings):
    settings.DASHBOARD_CACHE_SECONDS = 60
    client.force_login(leader)
    plan, url = known["plan"], dashboard_url(known["plan"])
    with freeze_time("2022-12-01 09:00:00"):
        before = client.get(url).context["org"]["direct_count"]
        plan.directly_inspected_units.through.objects.filter(inspectionplan_id=plan.pk).delete()  # no signal
        assert client.get(url).context["org"]["direct_count"] == before
    with freeze_time("2022-12-01 09:01:01"):
        assert client.get(url).context["org"]["direct_count"] == 0


def test_cached_charts_carry_each_response_s_own_nonce(client, leader, known):
    client.force_login(leader)
    url = dashboard_url(known["plan"])
    nonces = []
    for _i in range(2):
        response = client.get(url)
        styles = set(re.findall(r'<style nonce="([^"]+)"', page(response)))
        assert len(styles) == 1
        (nonce,) = styles
        assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
        nonces.append(nonce)
    assert nonces[0] != nonces[1]
