"""The schedule: list and filters, month calendar, scheduling a visit, editing and moving it."""

import pytest
from django.urls import reverse

from inspections import services
from inspections.models import Inspection, Reschedule, ScheduleNotice
from tests.factories import UnitFactory
from tests.inspections.conftest import LEAD_NAME
from tests.inspections.factories import D, InspectionFactory, flashed, page, schedule_visit, snapshot
from units.models import Unit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords", "media_root")]

HOLIDAY = "Ngày kiểm tra là ngày nghỉ lễ: Quốc khánh."
WEEKEND = "Ngày kiểm tra rơi vào cuối tuần."
INVALID_CHOICE = "Hãy chọn một lựa chọn hợp lệ. Lựa chọn đó không phải là một trong các lựa chọn khả thi."


def url(name, *args):
    return reverse(f"inspections:{name}", args=args)


def visit_data(unit, members, **changes):
    return {
        "unit": unit.pk,
        "date": "16/08/2022",
        "start_time": "08:00",
        "end_time": "11:30",
        "place": f"Hội trường {unit.short_name}",
        "members": [m.pk for m in members],
    } | changes


@pytest.fixture
def unit_c(plan):
    """A third district inspected directly, not yet scheduled."""
    unit = UnitFactory(kind=Unit.Kind.DISTRICT, name="Ủy ban nhân dân huyện Kim Bảng", short_name="Huyện Kim Bảng")
    plan.directly_inspected_units.add(unit)
    return unit


@pytest.fixture
def holiday_visit(plan, unit_c, lead):
    """Friday 02/09/2022 is Quốc khánh: saved, with a warning."""
    return schedule_visit(plan, unit_c, [lead], day=D(2022, 9, 2))


# --- The list ---------------------------------------------------------------------------------


def test_schedule_lists_the_visits_with_their_report_due_dates(client, coordinator, plan, visit_a, visit_b):
    client.force_login(coordinator)
    response = client.get(url("schedule", plan.pk))
    assert response.status_code == 200
    assert [visit for visit, _warnings in response.context["rows"]] == [visit_a, visit_b]
    html = page(response)
    assert "09/08/2022" in html and "02/08/2022" in html  # the visit, and its report due 7 days before
    assert "08:00-11:30" in html
    assert "Huyện Alpha" in html and "Sở Beta" in html
    assert f"{LEAD_NAME}, Vũ Đức Minh" in html
    assert url("inspection_create", plan.pk) in html


def test_schedule_filters_by_status(client, coordinator, plan, visit_a, visit_b):
    Inspection.objects.filter(pk=visit_b.pk).update(status=Inspection.Status.DONE)
    client.force_login(coordinator)
    rows = client.get(url("schedule", plan.pk), {"status": "done"}).context["rows"]
    assert [visit for visit, _warnings in rows] == [visit_b]
    rows = client.get(url("schedule", plan.pk), {"status": "scheduled"}).context["rows"]
    assert [visit for visit, _warnings in rows] == [visit_a]


def test_schedule_filters_by_unit_kind(client, coordinator, plan, visit_a, visit_b):
    client.force_login(coordinator)
    rows = client.get(url("schedule", plan.pk), {"kind": "district"}).context["rows"]
    assert [visit for visit, _warnings in rows] == [visit_a]
    rows = client.get(url("schedule", plan.pk), {"kind": "department"}).context["rows"]
    assert [visit for visit, _warnings in rows] == [visit_b]


def test_schedule_filters_the_visits_with_open_warnings(client, coordinator, plan, visit_a, holiday_visit):
    client.force_login(coordinator)
    rows = client.get(url("schedule", plan.pk), {"warnings": "on"}).context["rows"]
    assert rows == [(holiday_visit, [HOLIDAY])]


def test_a_bad_filter_shows_every_visit(client, coordinator, plan, visit_a, visit_b):
    client.force_login(coordinator)
    response = client.get(url("schedule", plan.pk), {"status": "bogus", "kind": "commune"})
    assert response.status_code == 200
    assert [visit for visit, _warnings in response.context["rows"]] == [visit_a, visit_b]


def test_schedule_shows_50_visits_a_page_and_keeps_the_filters_across_pages(client, coordinator, plan, holiday_visit):
    # 55 plain visits on Tuesdays before the holiday visit, which comes last in date order
    InspectionFactory.create_batch(55, plan=plan, date=D(2022, 8, 9))
    client.force_login(coordinator)
    first = client.get(url("schedule", plan.pk))
    assert len(first.context["rows"]) == 50 and first.context["page"].paginator.count == 56
    assert "?page=2" in page(first) and "Trang 1/2" in page(first)
    second = client.get(url("schedule", plan.pk), {"page": 2})
    assert [visit for visit, _warnings in second.context["rows"]][-1] == holiday_visit
    assert len(second.context["rows"]) == 6
    # the warnings filter looks at every visit, not only the first page's
    flagged = client.get(url("schedule", plan.pk), {"warnings": "on"})
    assert flagged.context["rows"] == [(holiday_visit, [HOLIDAY])]
    filtered = client.get(url("schedule", plan.pk), {"kind": "district"})
    assert "?kind=district&amp;page=2" in page(filtered)


# --- The month calendar -----------------------------------------------------------------------


def cell(response, day):
    return next(c for week in response.context["weeks"] for c in week if c["date"] == day)


def test_month_calendar_shows_a_visit_on_its_day(client, coordinator, plan, visit_a):
    client.force_login(coordinator)
    response = client.get(url("schedule_calendar", plan.pk), {"thang": "2022-08"})
    assert response.status_code == 200
    assert response.context["month"] == D(2022, 8, 1)
    assert cell(response, D(2022, 8, 9))["inspections"] == [visit_a]
    assert cell(response, D(2022, 8, 10))["inspections"] == []
    html = page(response)
    assert "Tháng 8 năm 2022" in html
    assert url("inspection_detail", visit_a.pk) in html
    assert "?thang=2022-07" in html and "?thang=2022-09" in html


def test_month_calendar_goes_to_the_month_asked_for(client, coordinator, plan, holiday_visit):
    client.force_login(coordinator)
    response = client.get(url("schedule_calendar", plan.pk), {"thang": "2022-09"})
    assert response.context["month"] == D(2022, 9, 1)
    assert cell(response, D(2022, 9, 2))["inspections"] == [holiday_visit]
    assert "Tháng 9 năm 2022" in page(response)


@pytest.mark.parametrize("thang", ["", "abc", "2022-13", "09/2022"])
def test_month_calendar_falls_back_to_the_plans_first_month(client, coordinator, plan, thang):
    client.force_login(coordinator)
    response = client.get(url("schedule_calendar", plan.pk), {"thang": thang})
    assert response.status_code == 200
    assert response.context["month"] == D(2022, 7, 1)
    assert "Tháng 7 năm 2022" in page(response)


@pytest.mark.parametrize("thang", ["0001-01", "9999-12"])
def test_month_calendar_falls_back_for_a_month_at_the_ends_of_the_calendar(client, coordinator, plan, thang):
    # A week before 0001-01 or after 9999-12 is outside what a date can hold: no 500.
    client.force_login(coordinator)
    response = client.get(url("schedule_calendar", plan.pk), {"thang": thang})
    assert response.status_code == 200
    assert response.context["month"] == D(2022, 7, 1)


# --- Scheduling a visit -----------------------------------------------------------------------


def test_coordinator_schedules_a_visit(client, coordinator, plan, unit_b, lead, inspector_member):
    client.force_login(coordinator)
    response = client.post(url("inspection_create", plan.pk), visit_data(unit_b, [lead, inspector_member]))
    visit = Inspection.objects.get(plan=plan, unit=unit_b)
    assert response.status_code == 302
    assert response.url == visit.get_absolute_url()
    assert "Đã xếp lịch kiểm tra Sở Beta." in flashed(response)
    assert (visit.date, f"{visit.start_time:%H:%M}", f"{visit.end_time:%H:%M}") == (D(2022, 8, 16), "08:00", "11:30")
    assert set(visit.members.all()) == {lead, inspector_member}
    assert visit.status == Inspection.Status.SCHEDULED


def test_the_schedule_form_offers_only_direct_units_not_yet_scheduled(client, coordinator, plan, unit_b, visit_a):
    client.force_login(coordinator)
    form = client.get(url("inspection_create", plan.pk)).context["form"]
    assert list(form.fields["unit"].queryset) == [unit_b]


def refused(client, plan, data, field, message):
    """Post the schedule form; it must show `message` on `field` and create nothing."""
    before = snapshot(plan)
    response = client.post(url("inspection_create", plan.pk), data)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert message in page(response)
    assert snapshot(plan) == before
    return response


def test_a_date_outside_the_window_is_refused(client, coordinator, plan, unit_b, lead):
    client.force_login(coordinator)
    message = "Ngày kiểm tra phải trong thời gian kiểm tra của kế hoạch: từ 01/07/2022 đến 30/09/2022."
    refused(client, plan, visit_data(unit_b, [lead], date="03/10/2022"), "date", message)
    refused(client, plan, visit_data(unit_b, [lead], date="30/06/2022"), "date", message)


def test_a_unit_already_scheduled_is_refused(client, coordinator, plan, unit_a, lead, visit_a):
    client.force_login(coordinator)
    # The form no longer offers the unit, so the post is refused as an invalid choice.
    refused(client, plan, visit_data(unit_a, [lead], date="23/08/2022"), "unit", INVALID_CHOICE)
    assert Inspection.objects.filter(unit=unit_a).count() == 1


def test_a_unit_not_inspected_directly_is_refused(client, coordinator, plan, home_affairs, lead):
    client.force_login(coordinator)
    refused(client, plan, visit_data(home_affairs, [lead]), "unit", INVALID_CHOICE)


def test_a_member_in_two_overlapping_visits_the_same_day_is_refused(client, coordinator, plan, unit_b, lead, visit_a):
    client.force_login(coordinator)
    message = f"{LEAD_NAME} đã có lịch kiểm tra Huyện Alpha cùng thời gian (08:00-11:30 ngày 09/08/2022)."
    data = visit_data(unit_b, [lead], date="09/08/2022", start_time="10:00", end_time="12:00")
    refused(client, plan, data, "members", message)


def test_the_same_member_may_go_to_another_visit_that_afternoon(client, coordinator, plan, unit_b, lead, visit_a):
    client.force_login(coordinator)
    data = visit_data(unit_b, [lead], date="09/08/2022", start_time="13:30", end_time="16:30")
    assert client.post(url("inspection_create", plan.pk), data).status_code == 302
    assert Inspection.objects.filter(date=D(2022, 8, 9)).count() == 2


def test_an_end_before_the_start_is_refused(client, coordinator, plan, unit_b, lead):
    client.force_login(coordinator)
    data = visit_data(unit_b, [lead], start_time="14:00", end_time="09:00")
    refused(client, plan, data, "end_time", "Giờ kết thúc phải sau giờ bắt đầu.")
    refused(
        client, plan, visit_data(unit_b, [lead], end_time="08:00"), "end_time", "Giờ kết thúc phải sau giờ bắt đầu."
    )


def test_a_visit_without_members_is_refused(client, coordinator, plan, unit_b):
    client.force_login(coordinator)
    refused(client, plan, visit_data(unit_b, []), "members", "Trường này là bắt buộc.")


def test_an_impossible_date_is_refused(client, coordinator, plan, unit_b, lead):
    client.force_login(coordinator)
    refused(client, plan, visit_data(unit_b, [lead], date="31/09/2022"), "date", "Nhập một ngày hợp lệ.")


def test_a_holiday_is_saved_with_a_warning_shown_until_acknowledged(client, coordinator, plan, unit_b, lead):
    client.force_login(coordinator)
    response = client.post(url("inspection_create", plan.pk), visit_data(unit_b, [lead], date="02/09/2022"))
    visit = Inspection.objects.get(unit=unit_b)
    assert response.status_code == 302
    assert HOLIDAY in flashed(response)

    schedule = url("schedule", plan.pk)
    html = page(client.get(schedule))
    assert HOLIDAY in html
    assert [v for v, _w in client.get(schedule, {"warnings": "on"}).context["rows"]] == [visit]
    detail = page(client.get(visit.get_absolute_url()))
    assert HOLIDAY in detail
    assert url("inspection_acknowledge", visit.pk) in detail

    response = client.post(url("inspection_acknowledge", visit.pk), {"next": schedule}, follow=True)
    assert response.redirect_chain == [(schedule, 302)]
    assert "Đã xác nhận các cảnh báo của lịch này." in page(response)
    assert HOLIDAY not in page(response)
    assert client.get(schedule, {"warnings": "on"}).context["rows"] == []
    visit.refresh_from_db()
    assert visit.warnings_acknowledged_by == coordinator
    assert visit.warnings_acknowledged_at is not None
    # The visit page still says what was acknowledged, and by whom.
    detail = page(client.get(visit.get_absolute_url()))
    assert f"Cảnh báo đã được {coordinator} xác nhận" in detail
    assert url("inspection_acknowledge", visit.pk) not in detail


def test_a_weekend_is_saved_with_a_warning(client, coordinator, plan, unit_b, lead):
    client.force_login(coordinator)
    response = client.post(url("inspection_create", plan.pk), visit_data(unit_b, [lead], date="03/09/2022"))
    assert response.status_code == 302
    assert WEEKEND in flashed(response)
    assert WEEKEND in page(client.get(url("schedule", plan.pk)))


def test_acknowledging_goes_back_to_the_visit_by_default(client, coordinator, holiday_visit):
    client.force_login(coordinator)
    response = client.post(url("inspection_acknowledge", holiday_visit.pk))
    assert response.status_code == 302
    assert response.url == holiday_visit.get_absolute_url()


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/lich/"])
def test_acknowledging_never_redirects_to_another_site(client, coordinator, holiday_visit, next_url):
    client.force_login(coordinator)
    response = client.post(url("inspection_acknowledge", holiday_visit.pk), {"next": next_url})
    assert response.status_code == 302
    assert response.url == holiday_visit.get_absolute_url()


def test_the_visit_page_shows_the_report_due_date(client, coordinator, plan, visit_a):
    client.force_login(coordinator)
    html = page(client.get(visit_a.get_absolute_url()))
    assert 'data-testid="report-due">02/08/2022' in html
    assert "trước ngày kiểm tra 7 ngày" in html
    assert "8 bộ bản giấy" in html


def test_the_report_due_date_follows_the_plans_lead_days(client, coordinator, plan, visit_a):
    plan.report_lead_days = 10
    plan.save(update_fields=["report_lead_days"])
    client.force_login(coordinator)
    assert 'data-testid="report-due">30/07/2022' in page(client.get(visit_a.get_absolute_url()))


# --- Editing a visit --------------------------------------------------------------------------


def test_coordinator_edits_place_members_and_status(client, coordinator, visit_a, lead):
    client.force_login(coordinator)
    response = client.post(
        url("inspection_edit", visit_a.pk),
        {"place": "Phòng họp số 2, UBND huyện", "members": [lead.pk], "status": "done"},
        follow=True,
    )
    assert response.redirect_chain == [(visit_a.get_absolute_url(), 302)]
    assert "Đã lưu buổi kiểm tra." in page(response)
    visit_a.refresh_from_db()
    assert (visit_a.place, visit_a.status) == ("Phòng họp số 2, UBND huyện", Inspection.Status.DONE)
    assert list(visit_a.members.all()) == [lead]
    assert visit_a.date == D(2022, 8, 9)


def test_edit_refuses_a_member_busy_elsewhere_at_the_same_time(client, coordinator, plan, unit_a, lead, visit_b):
    # Unit A's visit is the same morning as unit B's, where the lead already goes.
    busy = plan.team.members.create(full_name="Đỗ Thị Thu Hà", agency=lead.agency)
    visit = schedule_visit(plan, unit_a, [busy], day=D(2022, 8, 10))
    client.force_login(coordinator)
    before = snapshot(plan)
    response = client.post(
        url("inspection_edit", visit.pk), {"place": visit.place, "members": [busy.pk, lead.pk], "status": "scheduled"}
    )
    assert response.status_code == 200
    assert f"{LEAD_NAME} đã có lịch kiểm tra Sở Beta cùng thời gian (08:00-11:30 ngày 10/08/2022)." in page(response)
    assert snapshot(plan) == before


def test_edit_without_members_changes_nothing(client, coordinator, plan, visit_a):
    client.force_login(coordinator)
    before = snapshot(plan)
    response = client.post(url("inspection_edit", visit_a.pk), {"place": "Nơi khác", "members": [], "status": "done"})
    assert response.status_code == 200
    assert response.context["form"].errors["members"] == ["Trường này là bắt buộc."]
    assert snapshot(plan) == before


# --- Rescheduling -----------------------------------------------------------------------------


def reschedule_data(**changes):
    return {
        "date": "16/08/2022",
        "start_time": "08:00",
        "end_time": "11:30",
        "place": "Phòng họp tầng 2, UBND huyện",
        "reason": "Trùng lịch họp của UBND tỉnh",
        "send_notice": "on",
    } | changes


def test_reschedule_keeps_the_history_and_sends_an_updated_notice(
    client, coordinator, user_a, visit_a, lead, inspector, mailoutbox
):
    user_a.email = "vanphong@alpha.hanam.gov.vn"
    user_a.save(update_fields=["email"])
    services.inspection_acknowledge_warnings(inspection=visit_a, user=coordinator)
    client.force_login(coordinator)

    response = client.post(url("inspection_reschedule", visit_a.pk), reschedule_data(), follow=True)

    assert response.redirect_chain == [(visit_a.get_absolute_url(), 302)]
    html = page(response)
    assert "Đã đổi lịch kiểm tra; lịch cũ được lưu lại." in html
    assert "Đã gửi thông báo tới 3 địa chỉ thư điện tử." in html
    change = Reschedule.objects.get(inspection=visit_a)
    assert (change.old_date, change.new_date) == (D(2022, 8, 9), D(2022, 8, 16))
    assert (change.old_place, change.new_place) == ("Hội trường Huyện Alpha", "Phòng họp tầng 2, UBND huyện")
    assert (change.changed_by, change.reason) == (coordinator, "Trùng lịch họp của UBND tỉnh")
    visit_a.refresh_from_db()
    assert (visit_a.date, visit_a.place) == (D(2022, 8, 16), "Phòng họp tầng 2, UBND huyện")
    # A new date is looked at again: the earlier acknowledgement no longer counts.
    assert (visit_a.warnings_acknowledged_at, visit_a.warnings_acknowledged_by) == (None, None)
    # The history shows who moved it and why.
    assert "Trùng lịch họp của UBND tỉnh" in html
    assert str(coordinator) in html
    assert "09/08/2022 08:00-11:30, Hội trường Huyện Alpha" in html

    notice = ScheduleNotice.objects.get(inspection=visit_a)
    assert (notice.kind, notice.reschedule, notice.sent_by) == (ScheduleNotice.Kind.UPDATE, change, coordinator)
    [mail] = mailoutbox
    assert set(mail.to) == {"vanphong@alpha.hanam.gov.vn", lead.email, inspector.email}
    assert mail.subject == "Thông báo thay đổi lịch kiểm tra CCHC năm 2022 - Huyện Alpha"
    assert (
        "Thay đổi so với lịch trước: 08:00 09/08/2022 (Hội trường Huyện Alpha) → "
        "08:00 16/08/2022 (Phòng họp tầng 2, UBND huyện). Lý do: Trùng lịch họp của UBND tỉnh"
    ) in mail.body
    assert "- Thời gian: 08:00-11:30 ngày 16/08/2022" in mail.body
    pdfs = [(name, content) for name, content, mimetype in mail.attachments if mimetype == "application/pdf"]
    assert len(pdfs) == 1
    name, content = pdfs[0]
    assert name.endswith(".pdf") and content.startswith(b"%PDF")


def test_reschedule_without_a_notice_sends_nothing(client, coordinator, visit_a, mailoutbox):
    client.force_login(coordinator)
    data = reschedule_data()
    del data["send_notice"]
    assert client.post(url("inspection_reschedule", visit_a.pk), data).status_code == 302
    assert Reschedule.objects.filter(inspection=visit_a).count() == 1
    assert not ScheduleNotice.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize("reason", ["", "   "])
def test_reschedule_with_an_empty_reason_is_refused(client, coordinator, plan, visit_a, mailoutbox, reason):
    client.force_login(coordinator)
    before = snapshot(plan)
    response = client.post(url("inspection_reschedule", visit_a.pk), reschedule_data(reason=reason))
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["Trường này là bắt buộc."]
    assert "Trường này là bắt buộc." in page(response)
    assert snapshot(plan) == before
    assert mailoutbox == []


def test_reschedule_to_the_same_schedule_is_refused(client, coordinator, plan, visit_a):
    client.force_login(coordinator)
    before = snapshot(plan)
    data = reschedule_data(date="09/08/2022", place=visit_a.place)
    response = client.post(url("inspection_reschedule", visit_a.pk), data)
    assert response.status_code == 200
    assert "Lịch mới giống lịch hiện tại: không có gì thay đổi." in page(response)
    assert snapshot(plan) == before


def test_reschedule_outside_the_window_is_refused(client, coordinator, plan, visit_a, mailoutbox):
    client.force_login(coordinator)
    before = snapshot(plan)
    response = client.post(url("inspection_reschedule", visit_a.pk), reschedule_data(date="04/10/2022"))
    assert response.status_code == 200
    assert "Ngày kiểm tra phải trong thời gian kiểm tra của kế hoạch: từ 01/07/2022 đến 30/09/2022." in page(response)
    assert snapshot(plan) == before
    assert mailoutbox == []


def test_reschedule_onto_a_members_other_visit_is_refused(client, coordinator, plan, visit_a, visit_b):
    client.force_login(coordinator)
    before = snapshot(plan)
    response = client.post(url("inspection_reschedule", visit_a.pk), reschedule_data(date="10/08/2022"))
    assert response.status_code == 200
    assert f"{LEAD_NAME} đã có lịch kiểm tra Sở Beta cùng thời gian (08:00-11:30 ngày 10/08/2022)." in page(response)
    assert snapshot(plan) == before
