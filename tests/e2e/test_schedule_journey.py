"""A coordinator schedules a visit on a public holiday through the form and is warned."""

import re

import pytest

from inspections.models import Inspection
from tests.e2e.browser import expect, log_in
from tests.factories import UnitFactory
from units.models import Unit

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("media_root")]

HOLIDAY = "Ngày kiểm tra là ngày nghỉ lễ: Quốc khánh."


def test_a_coordinator_schedules_a_visit_on_a_holiday_and_sees_the_warning(page, live_server, coordinator, plan, lead):
    kim_bang = UnitFactory(kind=Unit.Kind.DISTRICT, name="Ủy ban nhân dân huyện Kim Bảng", short_name="Huyện Kim Bảng")
    plan.directly_inspected_units.add(kim_bang)

    log_in(page, live_server, coordinator)
    page.get_by_role("navigation").get_by_role("link", name="Kế hoạch").click()
    page.get_by_role("link", name="2022", exact=True).click()
    page.get_by_role("link", name="Lịch kiểm tra", exact=True).click()
    page.get_by_role("link", name="Xếp lịch kiểm tra").click()
    expect(page.get_by_role("heading", name="Xếp lịch kiểm tra trực tiếp")).to_be_visible()

    page.get_by_label("Đơn vị").select_option(label=str(kim_bang))
    page.get_by_label("Ngày kiểm tra").fill("02/09/2022")
    page.get_by_label("Từ giờ").fill("08:00")
    page.get_by_label("Đến giờ").fill("11:30")
    page.get_by_label("Địa điểm").fill("Hội trường Huyện ủy Kim Bảng")
    page.get_by_label(re.compile("Nguyễn Thị Hồng Hạnh")).check()
    page.get_by_role("button", name="Xếp lịch").click()

    # Saved anyway, and said twice: in the message and on the visit until acknowledged.
    expect(page.get_by_role("alert").filter(has_text="Đã xếp lịch kiểm tra")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text=HOLIDAY)).to_be_visible()
    expect(
        page.get_by_role("heading", name=re.compile("Kiểm tra trực tiếp: Ủy ban nhân dân huyện Kim Bảng"))
    ).to_be_visible()
    expect(page.locator(".alert-warning").filter(has_text="Cảnh báo:")).to_contain_text(HOLIDAY)
    visit = Inspection.objects.get(unit=kim_bang)
    assert (visit.date.isoformat(), visit.status) == ("2022-09-02", Inspection.Status.SCHEDULED)

    page.get_by_role("link", name="Lịch kiểm tra", exact=True).click()
    expect(page.get_by_role("row").filter(has_text=HOLIDAY)).to_be_visible()
