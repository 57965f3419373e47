"""After the visit: an inspector records a finding, the lead issues the conclusion, the unit
reports remediation and the coordinator verifies it."""

import re

import pytest

from inspections import services
from inspections.models import Conclusion, Finding, Inspection, RemediationAction
from tests.e2e.browser import expect, log_in, log_out, pdf_file
from tests.factories import user_with_role
from units.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("media_root")]

SHORTCOMING = "Chưa công khai đầy đủ thủ tục hành chính tại Bộ phận Một cửa."
ASSESSMENT = "Huyện Alpha triển khai công tác CCHC năm 2022 nghiêm túc, đạt kết quả khá."
REMEDIATION = "Đã niêm yết đủ 215 thủ tục hành chính tại Bộ phận Một cửa."


@pytest.fixture
def lead_user(lead):
    lead.user = user_with_role(Role.INSPECTOR, username="lead", first_name="Hạnh", last_name="Nguyễn Thị Hồng")
    lead.save(update_fields=["user"])
    return lead.user


def shortcoming(visit, user) -> Finding:
    return services.finding_record(
        inspection=visit,
        area=visit.plan.areas.get(number=3),
        criterion=None,
        kind=Finding.Kind.SHORTCOMING,
        text=SHORTCOMING,
        user=user,
    )


def open_visit(page, unit_name):
    """From the home page's list of the user's visits to the visit page."""
    page.get_by_role("link", name=re.compile(unit_name)).first.click()
    expect(page.get_by_role("heading", name=re.compile("^Kiểm tra trực tiếp:"))).to_be_visible()


def test_an_inspector_records_a_finding_with_evidence(page, live_server, visit_a, inspector, tmp_path):
    log_in(page, live_server, inspector)
    open_visit(page, "Huyện Alpha")
    page.get_by_role("link", name="Kết quả kiểm tra").click()
    expect(page.get_by_role("heading", name="Ghi kết quả kiểm tra")).to_be_visible()

    page.get_by_label("Nội dung kiểm tra").select_option(index=3)  # after the empty choice: areas 1, 2, 3
    page.get_by_label("Loại").select_option(label="Tồn tại, hạn chế")
    page.get_by_label("Nội dung ghi nhận").fill(SHORTCOMING)
    page.get_by_label("Tệp minh chứng (PDF, DOCX hoặc XLSX)").set_input_files(
        pdf_file(tmp_path / "Ảnh bảng niêm yết.pdf")
    )
    page.get_by_role("button", name="Ghi kết quả").click()

    expect(page.get_by_role("alert").filter(has_text="Đã ghi kết quả kiểm tra.")).to_be_visible()
    row = page.locator("#noi-dung-3").get_by_role("row").filter(has_text=SHORTCOMING)
    expect(row).to_contain_text("Tồn tại, hạn chế")
    expect(row).to_contain_text(inspector.get_full_name())
    expect(row.get_by_role("link", name="Ảnh bảng niêm yết.pdf")).to_be_visible()
    expect(page.get_by_text(re.compile(r"· 1 kết quả"))).to_be_visible()
    finding = Finding.objects.get()
    assert (finding.area.number, finding.kind, finding.created_by) == (3, Finding.Kind.SHORTCOMING, inspector)
    assert finding.evidence.count() == 1


def test_the_lead_drafts_and_issues_the_conclusion_and_the_visit_is_done(
    page, live_server, visit_a, inspector, lead_user
):
    shortcoming(visit_a, inspector)
    log_in(page, live_server, lead_user)
    open_visit(page, "Huyện Alpha")
    expect(page.locator(".badge").filter(has_text="Đã lên lịch")).to_be_visible()
    page.get_by_role("link", name="Kết luận kiểm tra").click()
    page.get_by_role("button", name="Bắt đầu dự thảo kết luận").click()
    expect(page.get_by_role("alert").filter(has_text="Đã tạo dự thảo kết luận")).to_be_visible()
    # Prefilled from the findings: the shortcoming is in area 3's summary.
    area_3 = page.locator("fieldset").filter(has=page.locator("legend", has_text=re.compile(r"^3\. ")))
    expect(area_3.get_by_label("Tồn tại, hạn chế")).to_have_value(f"- {SHORTCOMING}")

    page.get_by_label("Đánh giá chung").fill(ASSESSMENT)
    page.get_by_role("button", name="Lưu dự thảo").click()
    expect(page.get_by_role("alert").filter(has_text="Đã lưu dự thảo kết luận.")).to_be_visible()
    expect(page.get_by_test_id("conclusion-status")).to_have_text("Dự thảo")

    page.get_by_test_id("shortcomings").get_by_role("row").filter(has_text=SHORTCOMING).get_by_role(
        "button", name="Tạo yêu cầu"
    ).click()
    expect(page.get_by_role("alert").filter(has_text="Đã thêm yêu cầu khắc phục.")).to_be_visible()
    expect(page.get_by_test_id("actions")).to_contain_text(SHORTCOMING)

    page.get_by_role("button", name="Ban hành kết luận").click()
    expect(page.get_by_role("alert").filter(has_text="Đã ban hành kết luận (lần 1).")).to_be_visible()
    expect(page.get_by_test_id("conclusion-status")).to_have_text("Đã ban hành")
    expect(page.get_by_text(ASSESSMENT)).to_be_visible()

    page.get_by_role("link", name=re.compile("^Buổi kiểm tra")).first.click()
    expect(page.locator(".badge").filter(has_text="Đã kiểm tra")).to_be_visible()
    visit_a.refresh_from_db()
    assert visit_a.status == Inspection.Status.DONE
    assert Conclusion.objects.get(inspection=visit_a).status == Conclusion.Status.ISSUED


@pytest.fixture
def action(visit_a, inspector, lead_user) -> RemediationAction:
    """The lead's issued conclusion with one request, from the inspector's shortcoming."""
    finding = shortcoming(visit_a, inspector)
    conclusion = services.conclusion_start(inspection=visit_a, user=lead_user)
    action = services.action_add(conclusion=conclusion, finding=finding, text="", user=lead_user)
    services.conclusion_save(conclusion=conclusion, general_assessment=ASSESSMENT, areas={}, user=lead_user)
    services.conclusion_issue(conclusion=conclusion, user=lead_user)
    return action


def open_action(page):
    page.get_by_role("navigation").get_by_role("link", name="Khắc phục").click()
    expect(page.get_by_role("heading", name="Khắc phục tồn tại, hạn chế")).to_be_visible()
    page.get_by_role("link", name=SHORTCOMING).click()
    expect(page.get_by_role("heading", name=re.compile("^Yêu cầu khắc phục:"))).to_be_visible()


def test_the_unit_reports_remediation_and_the_coordinator_verifies_it(
    page, live_server, action, user_a, coordinator, tmp_path
):
    log_in(page, live_server, user_a)
    open_action(page)
    expect(page.get_by_test_id("action-status")).to_have_text("Chưa báo cáo")
    page.get_by_label("Kết quả khắc phục").fill(REMEDIATION)
    page.get_by_label("Tệp minh chứng (PDF, DOCX hoặc XLSX)").set_input_files(pdf_file(tmp_path / "Bảng niêm yết.pdf"))
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.get_by_role("alert").filter(has_text="Đã gửi báo cáo khắc phục (1 tệp minh chứng).")).to_be_visible()
    expect(page.get_by_test_id("action-status")).to_have_text("Đã báo cáo")
    expect(page.get_by_test_id("report")).to_contain_text(REMEDIATION)
    log_out(page)

    log_in(page, live_server, coordinator)
    open_action(page)
    expect(page.get_by_test_id("report").get_by_role("link", name="Bảng niêm yết.pdf")).to_be_visible()
    page.get_by_label("Xác nhận đã hoàn thành").check()
    page.get_by_role("button", name="Lưu thẩm định").click()
    expect(page.get_by_role("alert").filter(has_text="Đã xác nhận hoàn thành.")).to_be_visible()
    expect(page.get_by_test_id("action-status")).to_have_text("Đã hoàn thành")
    log_out(page)

    log_in(page, live_server, user_a)
    page.get_by_role("navigation").get_by_role("link", name="Khắc phục").click()
    expect(page.get_by_role("row").filter(has_text=SHORTCOMING).get_by_test_id("action-status")).to_have_text(
        "Đã hoàn thành"
    )
    page.get_by_role("link", name=SHORTCOMING).click()
    expect(page.get_by_test_id("review")).to_contain_text("Xác nhận đã hoàn thành")
    expect(page.get_by_role("button", name="Gửi báo cáo")).to_have_count(0)
    action.refresh_from_db()
    assert action.status == RemediationAction.Status.VERIFIED
