"""A unit's staff send their report from the unit portal: on time for one deadline, late for another.

The live server runs in this process, so the clock is not frozen: the data puts one deadline ahead
of the real today (next year's plan) and one behind it (the 2022 visit)."""

import re

import pytest
from django.utils import timezone

from inspections import services
from inspections.models import InspectionPlan, Submission, TeamMember
from tests.e2e.browser import expect, log_in, pdf_file
from tests.inspections.factories import D, schedule_visit

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("media_root")]

NEXT_TITLE = "Kế hoạch kiểm tra công tác cải cách hành chính năm sau trên địa bàn tỉnh Hà Nam"


@pytest.fixture
def next_visit(plan, unit_a, home_affairs):
    """Next year's active plan with unit A's visit in August: its report deadline is still ahead."""
    year = timezone.localdate().year + 1
    next_plan = services.plan_create(
        plan=InspectionPlan(
            year=year,
            title=NEXT_TITLE,
            window_start=D(year, 7, 1),
            window_end=D(year, 9, 30),
            remediation_deadline=D(year, 9, 30),
            self_inspection_deadline=D(year, 10, 30),
        )
    )
    next_plan.directly_inspected_units.set([unit_a])
    lead = TeamMember.objects.create(
        team=next_plan.team,
        full_name="Trần Văn Bình",
        position="Giám đốc Sở Nội vụ",
        agency=home_affairs,
        role=TeamMember.Role.LEAD,
    )
    services.plan_set_status(plan=next_plan, status=InspectionPlan.Status.ACTIVE)
    return schedule_visit(next_plan, unit_a, [lead], day=D(year, 8, 12))


def duty_card(page, title):
    return page.get_by_test_id("duties").filter(has=page.get_by_role("heading", name=title))


def send_report(page, path):
    expect(page.get_by_role("heading", name=re.compile("Báo cáo gửi Đoàn Kiểm tra"))).to_be_visible()
    page.get_by_label("Loại tài liệu").select_option(label="Báo cáo theo Đề cương")
    page.get_by_label("Tệp (PDF, DOCX hoặc XLSX)").set_input_files(path)
    page.get_by_role("button", name="Gửi", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="Đã nhận 1 tệp.")).to_be_visible()


def test_a_unit_sends_its_report_on_time_then_another_late(
    page, live_server, plan, visit_a, next_visit, user_a, tmp_path
):
    services.plan_set_status(plan=plan, status=InspectionPlan.Status.ACTIVE)
    log_in(page, live_server, user_a)
    # The unit portal: one card per active plan, each deadline with what has arrived.
    future, past = duty_card(page, NEXT_TITLE), duty_card(page, plan.title)
    expect(future.get_by_role("row", name=re.compile("Báo cáo theo Đề cương"))).to_contain_text("Chưa gửi")
    expect(future.get_by_role("row", name=re.compile("Báo cáo theo Đề cương"))).not_to_contain_text("quá hạn")
    expect(past.get_by_role("row", name=re.compile("Báo cáo theo Đề cương"))).to_contain_text("Chưa gửi, đã quá hạn")

    due = f"{next_visit.report_due_date:%d/%m/%Y}"
    future.get_by_role("link", name="Báo cáo theo Đề cương").click()
    send_report(page, pdf_file(tmp_path / "Báo cáo CCHC Huyện Alpha.pdf"))
    row = page.get_by_role("row", name=re.compile("Báo cáo CCHC Huyện Alpha.pdf"))
    expect(row).to_contain_text(f"Đúng hạn (hạn {due})")
    expect(row).to_contain_text("mới nhất")

    page.get_by_role("link", name="Trang chủ").click()
    expect(duty_card(page, NEXT_TITLE).get_by_role("row", name=re.compile("Báo cáo theo Đề cương"))).to_contain_text(
        "Đã nhận"
    )
    due = f"{visit_a.report_due_date:%d/%m/%Y}"
    duty_card(page, plan.title).get_by_role("link", name="Báo cáo theo Đề cương").click()
    send_report(page, pdf_file(tmp_path / "Báo cáo năm 2022.pdf"))
    row = page.get_by_role("row", name=re.compile("Báo cáo năm 2022.pdf"))
    expect(row).to_contain_text(re.compile(rf"Muộn .+ \(hạn {due}\)"))
    expect(row.locator(".text-danger")).to_be_visible()

    page.get_by_role("link", name="Trang chủ").click()
    expect(duty_card(page, plan.title).get_by_role("row", name=re.compile("Báo cáo theo Đề cương"))).to_contain_text(
        re.compile(r"Đã nhận, muộn .+")
    )
    sent = {s.original_name: s.is_late for s in Submission.objects.filter(unit=user_a.unit)}
    assert sent == {"Báo cáo CCHC Huyện Alpha.pdf": False, "Báo cáo năm 2022.pdf": True}
