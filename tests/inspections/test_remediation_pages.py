"""Remediation: the unit reports on each request with evidence, a coordinator verifies or returns it,
statuses and the derived overdue, counts per status on the unit's, the plan's and the coordinator's views."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time
from pypdf import PdfWriter
from pypdf.actions import JavaScript

from inspections import services
from inspections.models import (
    Conclusion,
    EvidenceFile,
    Finding,
    RemediationAction,
    RemediationReport,
    RemediationReview,
)
from tests.factories import UnitFactory, UserFactory, user_with_role
from tests.inspections.factories import D, InspectionFactory, PlanFactory, flashed, page
from units.models import Unit
from units.roles import Role

pytestmark = pytest.mark.usefixtures("fast_passwords", "media_root")

SHORTCOMING = "Chưa công khai đầy đủ thủ tục hành chính tại Bộ phận Một cửa."
REPORT = "Đã niêm yết đủ 215 thủ tục hành chính tại Bộ phận Một cửa."
COMMENT = "Thiếu ảnh chụp bảng niêm yết; đề nghị bổ sung."


def pdf_bytes(javascript: str | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if javascript:
        writer.add_open_action(JavaScript(javascript))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def upload(name="Ảnh niêm yết TTHC.pdf", content=None):
    return SimpleUploadedFile(name, content if content is not None else pdf_bytes())


def detail(action):
    return reverse("inspections:remediation_detail", args=[action.pk])


def report_url(action):
    return reverse("inspections:remediation_report", args=[action.pk])


def review_url(action):
    return reverse("inspections:remediation_review", args=[action.pk])


LIST = reverse("inspections:remediation_list")


def issue_with_actions(visit, lead_user, texts, deadline=None) -> list[RemediationAction]:
    """A conclusion issued by the lead with one request per text (from a shortcoming each)."""
    area = visit.plan.areas.get(number=3)
    conclusion = services.conclusion_start(inspection=visit, user=lead_user)
    actions = []
    for text in texts:
        finding = Finding.objects.create(
            plan=visit.plan,
            unit=visit.unit,
            inspection=visit,
            area=area,
            kind=Finding.Kind.SHORTCOMING,
            text=text,
            created_by=lead_user,
        )
        actions.append(services.action_add(conclusion=conclusion, finding=finding, text="", user=lead_user))
    if deadline:
        RemediationAction.objects.filter(conclusion=conclusion).update(deadline=deadline)
    services.conclusion_save(conclusion=conclusion, general_assessment="Đạt yêu cầu.", areas={}, user=lead_user)
    services.conclusion_issue(conclusion=conclusion, user=lead_user)
    for action in actions:
        action.refresh_from_db()
    return actions


@pytest.fixture
def lead_user(lead):
    lead.user = user_with_role(Role.INSPECTOR, username="lead", first_name="Hạnh", last_name="Nguyễn Thị Hồng")
    lead.save()
    return lead.user


@pytest.fixture
def action(visit_a, lead_user):
    return issue_with_actions(visit_a, lead_user, [SHORTCOMING])[0]


def stored() -> dict:
    """What a refused report must leave as it was."""
    return {
        "reports": RemediationReport.objects.count(),
        "evidence": EvidenceFile.objects.count(),
        "reviews": RemediationReview.objects.count(),
        "statuses": sorted(RemediationAction.objects.values_list("pk", "status")),
    }


# --- The round: report, return, report again, verify -----------------------------------------


def test_the_unit_reports_with_evidence_and_the_coordinator_returns_then_verifies(
    client, action, user_a, coordinator, media_root
):
    client.force_login(user_a)
    body = page(client.get(detail(action)))
    assert SHORTCOMING in body and "30/09/2022" in body and "Chưa báo cáo" in body
    response = client.post(report_url(action), {"text": REPORT, "files": [upload()]})
    assert response.status_code == 302
    assert "Đã gửi báo cáo khắc phục (1 tệp minh chứng)." in flashed(response)
    action.refresh_from_db()
    assert action.status == RemediationAction.Status.REPORTED
    evidence = EvidenceFile.objects.get()
    assert (evidence.remediation_report.action, evidence.original_name) == (action, "Ảnh niêm yết TTHC.pdf")
    body = page(client.get(detail(action)))
    assert REPORT in body and "Đã báo cáo" in body
    assert reverse("inspections:evidence_download", args=[evidence.pk]) in body
    assert f'action="{report_url(action)}"' not in body  # nothing to report until it is reviewed

    client.force_login(coordinator)
    body = page(client.get(detail(action)))
    assert "Thẩm định báo cáo mới nhất" in body and "Lịch sử thay đổi" in body
    response = client.post(review_url(action), {"decision": "returned", "comment": ""})
    assert response.status_code == 400
    assert "Nhập lý do yêu cầu bổ sung để đơn vị biết cần làm gì." in page(response)
    action.refresh_from_db()
    assert action.status == RemediationAction.Status.REPORTED and not RemediationReview.objects.exists()
    response = client.post(review_url(action), {"decision": "returned", "comment": COMMENT})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == RemediationAction.Status.RETURNED

    client.force_login(user_a)
    body = page(client.get(detail(action)))
    assert "Yêu cầu bổ sung" in body
    assert 'data-testid="returned-comment"' in body and COMMENT in body
    assert "Báo cáo lại kết quả khắc phục" in body
    response = client.post(report_url(action), {"text": REPORT + " Bổ sung ảnh chụp.", "files": [upload("anh.pdf")]})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == RemediationAction.Status.REPORTED
    assert RemediationReport.objects.count() == 2 and EvidenceFile.objects.count() == 2

    client.force_login(coordinator)
    response = client.post(review_url(action), {"decision": "verified", "comment": ""})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == RemediationAction.Status.VERIFIED
    review = RemediationReview.objects.latest("pk")
    assert (review.report, review.reviewed_by) == (RemediationReport.objects.latest("pk"), coordinator)

    client.force_login(user_a)
    body = page(client.get(detail(action)))
    assert "Đã hoàn thành" in body and 'data-testid="returned-comment"' not in body
    assert COMMENT in body  # the earlier review stays in the record
    before = stored()
    response = client.post(report_url(action), {"text": "Gửi thêm"})
    assert response.status_code == 400
    assert "Yêu cầu này đã được xác nhận hoàn thành." in page(response)
    assert stored() == before


def test_a_report_without_text_is_refused(client, action, user_a):
    client.force_login(user_a)
    response = client.post(report_url(action), {"text": "  ", "files": [upload()]})
    assert response.status_code == 400
    assert "Nhập kết quả khắc phục." in page(response)
    assert stored()["reports"] == 0 and stored()["evidence"] == 0


def test_a_second_report_while_the_first_awaits_review_is_refused(client, action, user_a):
    client.force_login(user_a)
    assert client.post(report_url(action), {"text": "Đã niêm yết thủ tục."}).status_code == 302
    before = stored()
    response = client.post(report_url(action), {"text": "Gửi thêm", "files": [upload()]})
    assert response.status_code == 400
    assert "Đã báo cáo, đang chờ Sở Nội vụ xem xét" in page(response)
    assert stored() == before


def test_reviewing_before_any_report_is_refused(client, action, coordinator):
    client.force_login(coordinator)
    response = client.post(review_url(action), {"decision": "verified"})
    assert response.status_code == 400
    assert "Chỉ thẩm định yêu cầu đơn vị đã báo cáo." in page(response)
    action.refresh_from_db()
    assert action.status == RemediationAction.Status.OPEN


HOSTILE = [
    ("bao-cao.pdf", b"MZ\x90\x00\x03" + b"\x00" * 500, "Định dạng tệp không được chấp nhận"),
    ("bao-cao.pdf", b"<html><script>alert(1)</script></html>", "Định dạng tệp không được chấp nhận"),
    ("bao-cao.pdf", pdf_bytes(javascript="app.alert('x')"), "Không nhận tệp PDF có JavaScript"),
    ("rong.pdf", b"", "Tệp rỗng"),
]


@pytest.mark.parametrize(("name", "content", "message"), HOSTILE)
def test_a_hostile_file_refuses_the_whole_report_and_stores_nothing(
    client, action, user_a, media_root, name, content, message
):
    client.force_login(user_a)
    response = client.post(report_url(action), {"text": REPORT, "files": [upload(), upload(name, content)]})
    assert response.status_code == 400
    assert message in page(response)
    assert stored() == {"reports": 0, "evidence": 0, "reviews": 0, "statuses": [(action.pk, "open")]}
    assert [f for f in media_root.rglob("*") if f.is_file()] == []


# --- Overdue is derived ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "overdue"), [("2022-09-30 23:00:00+07:00", False), ("2022-10-01 08:00:00+07:00", True)]
)
def test_overdue_is_derived_from_the_deadline(client, action, coordinator, today, overdue):
    client.force_login(coordinator)
    with freeze_time(today):
        assert action.is_overdue is overdue
        assert ('data-testid="overdue"' in page(client.get(detail(action)))) is overdue
        assert services.remediation_counts(RemediationAction.objects.all())["overdue"] == int(overdue)
        response = client.get(LIST, {"overdue": "on"})
        assert response.context["page"].paginator.count == int(overdue)


def test_a_verified_action_is_never_overdue(client, action, user_a, coordinator):
    client.force_login(user_a)
    client.post(report_url(action), {"text": REPORT})
    client.force_login(coordinator)
    client.post(review_url(action), {"decision": "verified"})
    with freeze_time("2022-12-01"):
        action.refresh_from_db()
        assert not action.is_overdue
        assert client.get(LIST).context["counts"]["overdue"] == 0


# --- Counts on the list and the plan's view ----------------------------------------------------


@pytest.fixture
def mixed(visit_a, visit_b, lead_user):
    """Unit A: 4 actions (open, reported, returned, verified); unit B: 2 (open, open, one overdue)."""
    a = issue_with_actions(visit_a, lead_user, [f"Yêu cầu A{i}" for i in range(4)])
    for one, status in zip(a, ["open", "reported", "returned", "verified"], strict=True):
        RemediationAction.objects.filter(pk=one.pk).update(status=status)
    b = issue_with_actions(visit_b, lead_user, ["Yêu cầu B0", "Yêu cầu B1"])
    RemediationAction.objects.filter(pk=b[0].pk).update(deadline=D(2022, 8, 31))
    return a, b


def counts_on(response) -> dict:
    counts = response.context["counts"]
    return {value: n for _label, n, value in counts["by_status"]} | {
        "total": counts["total"],
        "overdue": counts["overdue"],
    }


@freeze_time("2022-09-15 09:00:00+07:00")
def test_the_coordinator_sees_every_action_counted_per_status(client, mixed, coordinator):
    client.force_login(coordinator)
    response = client.get(LIST)
    assert counts_on(response) == {"open": 3, "reported": 1, "returned": 1, "verified": 1, "total": 6, "overdue": 1}
    assert 'data-count="open">3<' in page(response)
    assert response.context["page"].paginator.count == 6
    response = client.get(LIST, {"status": "open"})
    assert response.context["page"].paginator.count == 3
    assert counts_on(response)["total"] == 6  # the counts stay those of the whole list
    response = client.get(LIST, {"unit": mixed[1][0].unit_id})
    assert counts_on(response) == {"open": 2, "reported": 0, "returned": 0, "verified": 0, "total": 2, "overdue": 1}


@freeze_time("2022-09-15 09:00:00+07:00")
def test_the_unit_sees_only_its_own_actions_and_counts(client, mixed, user_a, user_b):
    client.force_login(user_a)
    response = client.get(LIST)
    assert counts_on(response) == {"open": 1, "reported": 1, "returned": 1, "verified": 1, "total": 4, "overdue": 0}
    assert "Yêu cầu A0" in page(response) and "Yêu cầu B0" not in page(response)
    client.force_login(user_b)
    response = client.get(LIST)
    assert counts_on(response)["total"] == 2 and counts_on(response)["overdue"] == 1
    assert "Yêu cầu A0" not in page(response)


@freeze_time("2022-09-15 09:00:00+07:00")
def test_the_plans_view_counts_per_unit(client, mixed, plan, coordinator, leader, unit_a, unit_b, user_a):
    for who in (coordinator, leader):
        client.force_login(who)
        response = client.get(reverse("inspections:remediation_plan", args=[plan.pk]))
        assert response.status_code == 200
        rows = {row["unit"]: row for row in response.context["rows"]}
        assert (rows[unit_a]["cells"], rows[unit_a]["overdue"], rows[unit_a]["total"]) == ([1, 1, 1, 1], 0, 4)
        assert (rows[unit_b]["cells"], rows[unit_b]["overdue"], rows[unit_b]["total"]) == ([2, 0, 0, 0], 1, 2)
        assert response.context["totals"] == {"cells": [3, 1, 1, 1], "overdue": 1, "total": 6}
        assert unit_a.short_name in page(response)
    client.force_login(user_a)
    assert client.get(reverse("inspections:remediation_plan", args=[plan.pk])).status_code == 404


def test_actions_of_a_draft_conclusion_are_not_the_units_yet(client, visit_a, lead_user, user_a):
    conclusion = services.conclusion_start(inspection=visit_a, user=lead_user)
    action = services.action_add(conclusion=conclusion, text="Chưa ban hành", user=lead_user)
    client.force_login(user_a)
    assert client.get(LIST).context["counts"]["total"] == 0
    assert client.get(detail(action)).status_code == 404


# --- Who may do what ---------------------------------------------------------------------------


def test_another_unit_gets_404_for_the_action_and_its_evidence(client, action, user_a, user_b):
    client.force_login(user_a)
    client.post(report_url(action), {"text": REPORT, "files": [upload()]})
    evidence = EvidenceFile.objects.get()
    assert client.get(reverse("inspections:evidence_download", args=[evidence.pk])).status_code == 200
    before = stored()
    client.force_login(user_b)
    assert client.get(detail(action)).status_code == 404
    assert client.get(reverse("inspections:evidence_download", args=[evidence.pk])).status_code == 404
    assert client.post(report_url(action), {"text": "Của đơn vị khác"}).status_code == 404
    assert client.post(review_url(action), {"decision": "verified"}).status_code == 404
    assert stored() == before


@pytest.mark.parametrize("who", ["leader", "inspector", "user_a"])
def test_only_coordinators_review(client, action, user_a, who, request):
    client.force_login(user_a)
    client.post(report_url(action), {"text": REPORT})
    before = stored()
    client.force_login(request.getfixturevalue(who))
    assert "Thẩm định báo cáo mới nhất" not in page(client.get(detail(action)))
    assert client.post(review_url(action), {"decision": "verified"}).status_code == 403
    assert stored() == before


@pytest.mark.parametrize("who", ["coordinator", "leader", "inspector"])
def test_only_the_units_staff_report(client, action, who, request):
    client.force_login(request.getfixturevalue(who))
    assert "Báo cáo kết quả khắc phục" not in page(client.get(detail(action)))
    assert client.post(report_url(action), {"text": REPORT}).status_code == 403
    assert stored()["reports"] == 0


def test_pages_are_get_only(client, action, coordinator, plan):
    client.force_login(coordinator)
    for target in (LIST, detail(action), reverse("inspections:remediation_plan", args=[plan.pk])):
        assert client.post(target).status_code == 405
    assert client.get(report_url(action)).status_code == 405


# --- As the data grows -------------------------------------------------------------------------


def grow(n, *, plan=None, unit=None):
    """`n` issued visits with one action each, statuses mixed: each visit in `plan` or a plan of its
    own, for `unit` or a unit of its own."""
    statuses = RemediationAction.Status.values
    author = UserFactory()
    for i in range(n):
        visit = InspectionFactory(plan=plan or PlanFactory(), unit=unit or UnitFactory(kind=Unit.Kind.DISTRICT))
        conclusion = Conclusion.objects.create(inspection=visit, updated_by=author, status=Conclusion.Status.ISSUED)
        RemediationAction.objects.create(
            conclusion=conclusion,
            unit=visit.unit,
            text=f"Yêu cầu số {i}",
            deadline=D(2022, 9, 1 + i % 29),
            status=statuses[i % len(statuses)],
        )


def query_count(client, target) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(target)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("who", ["coordinator", "user_a"])
def test_the_list_makes_as_many_queries_for_30_actions_as_for_3(client, unit_a, who, request):
    user = request.getfixturevalue(who)
    client.force_login(user)
    grow(2, unit=unit_a)
    grow(1)
    small = query_count(client, LIST)
    grow(18, unit=unit_a)
    grow(9)
    assert client.get(LIST).context["counts"]["total"] == (20 if who == "user_a" else 30)
    assert query_count(client, LIST) == small


def test_the_plans_view_makes_as_many_queries_for_30_units_as_for_3(client, plan, coordinator):
    client.force_login(coordinator)
    target = reverse("inspections:remediation_plan", args=[plan.pk])
    grow(3, plan=plan)
    small = query_count(client, target)
    grow(27, plan=plan)
    assert len(client.get(target).context["rows"]) == 30
    assert query_count(client, target) == small


def test_the_list_is_paginated_by_50(client, coordinator):
    grow(51)
    client.force_login(coordinator)
    response = client.get(LIST)
    assert len(response.context["page"]) == 50
    assert "Trang 1/2" in page(response)
    assert len(client.get(LIST, {"page": 2}).context["page"]) == 1
