"""Plan pages: list, detail, create, edit, status, copy to next year, the units inspected directly."""

import json

import pytest
from django.urls import reverse

from inspections import services
from inspections.models import ContentArea, Criterion, InspectionPlan, InspectionTeam, TeamMember
from tests.factories import UnitFactory
from tests.inspections.conftest import LEAD_NAME, PLAN_TITLE
from tests.inspections.factories import D, PlanFactory, page, snapshot
from units.models import Unit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords", "media_root")]


def url(name, *args):
    return reverse(f"inspections:{name}", args=args)


def plan_data(plan=None, **changes):
    """A complete plan form as a browser posts it: dates dd/mm/yyyy."""
    data = {
        "year": "2023",
        "number": "",
        "symbol": "KH-UBND",
        "issue_date": "",
        "title": "Kiểm tra công tác cải cách hành chính năm 2023",
        "issuing_body": "ỦY BAN NHÂN DÂN TỈNH HÀ NAM",
        "place": "Hà Nam",
        "window_start": "01/07/2023",
        "window_end": "30/09/2023",
        "report_lead_days": "7",
        "paper_copies_required": "8",
        "remediation_deadline": "30/09/2023",
        "min_remediation_days": "7",
        "self_inspection_deadline": "30/10/2023",
        "district_min_ratio": "40",
    }
    if plan is not None:
        data |= {
            "year": str(plan.year),
            "number": plan.number,
            "issue_date": f"{plan.issue_date:%d/%m/%Y}",
            "title": plan.title,
            "window_start": "01/07/2022",
            "window_end": "30/09/2022",
            "remediation_deadline": "30/09/2022",
            "self_inspection_deadline": "30/10/2022",
        }
    return data | changes


# --- List and detail --------------------------------------------------------------------------


def test_plan_list_shows_the_plan_with_its_counts(client, coordinator, plan, visit_a):
    client.force_login(coordinator)
    response = client.get(url("plan_list"))
    assert response.status_code == 200
    [row] = response.context["plans"]
    assert (row, row.direct_count, row.visit_count) == (plan, 2, 1)
    html = page(response)
    assert PLAN_TITLE in html
    assert "1357/KH-UBND" in html
    assert "01/07/2022 - 30/09/2022" in html
    assert "Dự thảo" in html
    assert url("plan_create") in html


def test_leader_reads_the_plan_list_without_the_add_button(client, leader, plan):
    client.force_login(leader)
    response = client.get(url("plan_list"))
    assert response.status_code == 200
    assert PLAN_TITLE in page(response)
    assert url("plan_create") not in page(response)


def test_plan_detail_shows_the_settings_the_team_and_the_seven_areas(client, coordinator, plan):
    client.force_login(coordinator)
    response = client.get(url("plan_detail", plan.pk))
    assert response.status_code == 200
    html = page(response)
    assert PLAN_TITLE in html
    assert "Số: 1357/KH-UBND" in html
    assert "ban hành ngày 10/05/2022" in html
    assert "01/07/2022 - 30/09/2022" in html
    assert f"Trưởng đoàn: {LEAD_NAME}" in html
    assert "2 đơn vị kiểm tra trực tiếp, 1 đơn vị tự kiểm tra." in html  # Sở Nội vụ self-inspects
    assert sorted(area.number for area in response.context["areas"]) == [1, 2, 3, 4, 5, 6, 7]
    assert "Công tác chỉ đạo, điều hành CCHC" in html
    assert url("plan_edit", plan.pk) in html


def test_plan_detail_lists_the_seven_areas_by_number(client, leader):
    # Areas whose rows were not written in number order (here: last area first).
    plan = PlanFactory(year=2024)
    InspectionTeam.objects.create(plan=plan)
    for number in range(7, 0, -1):
        ContentArea.objects.create(plan=plan, number=number, title=f"Nội dung số {number}")
    client.force_login(leader)
    response = client.get(url("plan_detail", plan.pk))
    assert [area.number for area in response.context["areas"]] == [1, 2, 3, 4, 5, 6, 7]


def test_plan_list_puts_the_newest_year_first(client, coordinator, plan):
    PlanFactory.create_batch(6)
    client.force_login(coordinator)
    years = [p.year for p in client.get(url("plan_list")).context["plans"]]
    assert years == sorted(years, reverse=True)


# --- Create -----------------------------------------------------------------------------------


def test_coordinator_creates_a_draft_plan_seeded_with_the_seven_areas_and_their_criteria(client, coordinator):
    client.force_login(coordinator)
    response = client.post(url("plan_create"), plan_data(), follow=True)

    plan = InspectionPlan.objects.get(year=2023)
    assert response.redirect_chain == [(plan.get_absolute_url(), 302)]
    assert "Đã tạo kế hoạch năm 2023 (dự thảo)." in page(response)
    assert plan.status == InspectionPlan.Status.DRAFT
    assert (plan.window_start, plan.window_end) == (D(2023, 7, 1), D(2023, 9, 30))
    seed = json.loads(services.CRITERIA_FIXTURE.read_text("utf-8"))["areas"]
    areas = list(plan.areas.order_by("number"))
    assert [(a.number, a.title) for a in areas] == [(s["number"], s["title"]) for s in seed]
    for area, seeded in zip(areas, seed, strict=True):
        assert list(area.criteria.values_list("text", flat=True)) == seeded["criteria"]
    assert Criterion.objects.filter(area__plan=plan).count() == sum(len(s["criteria"]) for s in seed)
    assert plan.team.members.count() == 0


def test_plan_create_refuses_a_second_plan_for_the_same_year(client, coordinator, plan):
    client.force_login(coordinator)
    before = snapshot(plan)
    response = client.post(url("plan_create"), plan_data(year="2022", window_start="01/07/2022"))
    assert response.status_code == 200
    assert response.context["form"].errors["year"]
    assert "đã tồn tại" in page(response)
    assert snapshot(plan) == before


def test_plan_create_refuses_a_window_outside_the_plans_year(client, coordinator):
    client.force_login(coordinator)
    response = client.post(url("plan_create"), plan_data(window_start="01/07/2024", window_end="30/09/2024"))
    assert response.status_code == 200
    assert "Thời gian kiểm tra phải nằm trong năm của kế hoạch." in page(response)
    assert not InspectionPlan.objects.exists()


def test_plan_create_with_no_data_shows_the_required_fields(client, coordinator):
    client.force_login(coordinator)
    response = client.post(url("plan_create"), {"title": ""})
    assert response.status_code == 200
    assert {"year", "title", "window_start", "window_end"} <= response.context["form"].errors.keys()
    assert "Trường này là bắt buộc." in page(response)
    assert not InspectionPlan.objects.exists()


# --- Edit -------------------------------------------------------------------------------------


def test_coordinator_edits_the_plan(client, coordinator, plan):
    client.force_login(coordinator)
    response = client.post(
        url("plan_edit", plan.pk), plan_data(plan, number="1400", window_end="15/09/2022"), follow=True
    )
    assert response.redirect_chain == [(plan.get_absolute_url(), 302)]
    assert "Đã lưu kế hoạch." in page(response)
    plan.refresh_from_db()
    assert (plan.number, plan.window_end) == ("1400", D(2022, 9, 15))


def test_plan_edit_form_shows_dates_day_first(client, coordinator, plan):
    client.force_login(coordinator)
    html = page(client.get(url("plan_edit", plan.pk)))
    assert 'value="01/07/2022"' in html
    assert 'value="30/10/2022"' in html


def test_plan_edit_refuses_a_window_ending_before_it_starts(client, coordinator, plan):
    client.force_login(coordinator)
    before = snapshot(plan)
    response = client.post(
        url("plan_edit", plan.pk), plan_data(plan, window_start="01/08/2022", window_end="31/07/2022")
    )
    assert response.status_code == 200
    assert "Ngày kết thúc kiểm tra phải sau ngày bắt đầu." in page(response)
    assert snapshot(plan) == before


def test_plan_edit_refuses_31_february(client, coordinator, plan):
    client.force_login(coordinator)
    before = snapshot(plan)
    response = client.post(url("plan_edit", plan.pk), plan_data(plan, window_start="31/02/2022"))
    assert response.status_code == 200
    assert response.context["form"].errors["window_start"] == ["Nhập một ngày hợp lệ."]
    assert "Nhập một ngày hợp lệ." in page(response)
    assert snapshot(plan) == before


# --- Status -----------------------------------------------------------------------------------


def test_plan_cannot_start_without_a_lead(client, coordinator, plan, lead):
    lead.delete()
    client.force_login(coordinator)
    response = client.post(url("plan_status", plan.pk), {"status": "active"}, follow=True)
    assert response.redirect_chain == [(plan.get_absolute_url(), 302)]
    assert "Đoàn Kiểm tra phải có đúng một Trưởng đoàn trước khi thực hiện kế hoạch." in page(response)
    plan.refresh_from_db()
    assert plan.status == InspectionPlan.Status.DRAFT


def test_plan_starts_with_one_lead_then_closes(client, coordinator, plan):
    client.force_login(coordinator)
    response = client.post(url("plan_status", plan.pk), {"status": "active"}, follow=True)
    assert "Kế hoạch chuyển sang: Đang thực hiện." in page(response)
    plan.refresh_from_db()
    assert plan.status == InspectionPlan.Status.ACTIVE

    response = client.post(url("plan_status", plan.pk), {"status": "closed"}, follow=True)
    assert "Kế hoạch chuyển sang: Đã kết thúc." in page(response)
    plan.refresh_from_db()
    assert plan.status == InspectionPlan.Status.CLOSED


def test_a_draft_cannot_jump_to_closed(client, coordinator, plan):
    client.force_login(coordinator)
    response = client.post(url("plan_status", plan.pk), {"status": "closed"}, follow=True)
    assert "Không thể chuyển kế hoạch từ “Dự thảo” sang “Đã kết thúc”." in page(response)
    plan.refresh_from_db()
    assert plan.status == InspectionPlan.Status.DRAFT


def test_an_unknown_status_is_refused_with_a_message(client, coordinator, plan):
    client.force_login(coordinator)
    response = client.post(url("plan_status", plan.pk), {"status": "archived"}, follow=True)
    assert "Trạng thái không hợp lệ." in page(response)
    plan.refresh_from_db()
    assert plan.status == InspectionPlan.Status.DRAFT


@pytest.fixture
def closed_plan(plan, visit_a):
    services.plan_set_status(plan=plan, status=InspectionPlan.Status.ACTIVE)
    services.plan_set_status(plan=plan, status=InspectionPlan.Status.CLOSED)
    return plan


def closed_plan_write_urls(plan, visit):
    area = plan.areas.first()
    criterion = area.criteria.first()
    member = plan.team.members.first()
    return [
        ("GET", url("plan_edit", plan.pk)),
        ("POST", url("plan_edit", plan.pk)),
        ("POST", url("plan_status", plan.pk)),
        ("POST", url("plan_units", plan.pk)),
        ("GET", url("team_edit", plan.pk)),
        ("POST", url("team_edit", plan.pk)),
        ("GET", url("member_create", plan.pk)),
        ("POST", url("member_create", plan.pk)),
        ("GET", url("member_edit", member.pk)),
        ("POST", url("member_edit", member.pk)),
        ("POST", url("member_delete", member.pk)),
        ("GET", url("criterion_create", area.pk)),
        ("POST", url("criterion_create", area.pk)),
        ("GET", url("criterion_edit", criterion.pk)),
        ("POST", url("criterion_edit", criterion.pk)),
        ("POST", url("criterion_retire", criterion.pk)),
        ("POST", url("criterion_delete", criterion.pk)),
        ("GET", url("inspection_create", plan.pk)),
        ("POST", url("inspection_create", plan.pk)),
        ("GET", url("inspection_edit", visit.pk)),
        ("POST", url("inspection_edit", visit.pk)),
        ("GET", url("inspection_reschedule", visit.pk)),
        ("POST", url("inspection_reschedule", visit.pk)),
        ("POST", url("inspection_acknowledge", visit.pk)),
        ("POST", url("notice_send", visit.pk)),
    ]


def test_a_closed_plan_refuses_every_write_to_the_coordinator(client, coordinator, closed_plan, visit_a, unit_a):
    client.force_login(coordinator)
    before = snapshot(closed_plan)
    for method, target in closed_plan_write_urls(closed_plan, visit_a):
        data = {
            "status": "active",
            "title": "Đổi tên",
            "text": "Tiêu chí mới",
            "order": "1",
            "full_name": "Người mới",
            "units": [unit_a.pk],
            "place": "Nơi khác",
            "reason": "Thử",
            "date": "16/08/2022",
            "start_time": "08:00",
            "end_time": "11:00",
        }
        response = client.get(target) if method == "GET" else client.post(target, data)
        assert response.status_code == 403, (method, target)
        assert "Kế hoạch đã kết thúc: chỉ xem, không sửa." in page(response), (method, target)
    assert snapshot(closed_plan) == before


def test_a_closed_plan_still_reads_without_edit_buttons(client, coordinator, closed_plan, visit_a):
    client.force_login(coordinator)
    for target in [
        url("plan_detail", closed_plan.pk),
        url("plan_units", closed_plan.pk),
        url("plan_areas", closed_plan.pk),
        url("team_detail", closed_plan.pk),
        url("schedule", closed_plan.pk),
        url("inspection_detail", visit_a.pk),
    ]:
        response = client.get(target)
        assert response.status_code == 200, target
        html = page(response)
        assert "Kế hoạch đã kết thúc: chỉ xem, không sửa." in html
        assert url("plan_edit", closed_plan.pk) not in html
        assert url("inspection_create", closed_plan.pk) not in html
        assert url("inspection_edit", visit_a.pk) not in html


def test_a_closed_plan_can_still_be_copied_to_next_year(client, coordinator, closed_plan):
    # Copying last year's finished plan is how next year's plan begins; the closed plan is only read.
    client.force_login(coordinator)
    before = snapshot(closed_plan)
    response = client.post(url("plan_copy", closed_plan.pk))
    new = InspectionPlan.objects.get(year=2023)
    assert response.status_code == 302
    assert response.url == new.get_absolute_url()
    closed_plan.refresh_from_db()
    assert closed_plan.status == InspectionPlan.Status.CLOSED
    after = snapshot(closed_plan)
    assert after["visits"] == before["visits"]
    assert after["plan"] == before["plan"]


# --- Copy to next year ------------------------------------------------------------------------


def test_copy_makes_a_draft_for_next_year(client, coordinator, plan, visit_a):
    Criterion.objects.filter(area__plan=plan, area__number=1, order=1).update(is_active=False)
    client.force_login(coordinator)
    response = client.post(url("plan_copy", plan.pk), follow=True)

    new = InspectionPlan.objects.get(year=2023)
    assert response.redirect_chain == [(new.get_absolute_url(), 302)]
    assert "Đã tạo dự thảo kế hoạch năm 2023 từ kế hoạch này." in page(response)
    assert new.status == InspectionPlan.Status.DRAFT
    assert new.copied_from == plan
    assert new.title == PLAN_TITLE.replace("2022", "2023")
    assert (new.number, new.issue_date) == ("", None)
    assert (new.window_start, new.window_end) == (D(2023, 7, 1), D(2023, 9, 30))
    assert (new.remediation_deadline, new.self_inspection_deadline) == (D(2023, 9, 30), D(2023, 10, 30))
    assert list(new.areas.values_list("number", "title")) == list(plan.areas.values_list("number", "title"))
    old_criteria = Criterion.objects.filter(area__plan=plan).values_list("area__number", "order", "text", "is_active")
    new_criteria = Criterion.objects.filter(area__plan=new).values_list("area__number", "order", "text", "is_active")
    assert sorted(new_criteria) == sorted(old_criteria)
    assert new.team.members.count() == 0
    assert not new.directly_inspected_units.exists()
    assert not new.inspections.exists()
    # The 2022 plan keeps everything.
    assert plan.inspections.count() == 1
    assert plan.team.members.count() == 2


def test_a_second_copy_is_refused_with_a_message(client, coordinator, plan):
    client.force_login(coordinator)
    client.post(url("plan_copy", plan.pk))
    response = client.post(url("plan_copy", plan.pk), follow=True)
    assert response.redirect_chain == [(plan.get_absolute_url(), 302)]
    assert "Đã có kế hoạch năm 2023." in page(response)
    assert InspectionPlan.objects.count() == 2


def test_the_copy_button_is_gone_once_next_year_exists(client, coordinator, plan):
    client.force_login(coordinator)
    assert url("plan_copy", plan.pk) in page(client.get(url("plan_detail", plan.pk)))
    client.post(url("plan_copy", plan.pk))
    assert url("plan_copy", plan.pk) not in page(client.get(url("plan_detail", plan.pk)))


# --- Units inspected directly -----------------------------------------------------------------


def test_coordinator_sets_the_direct_units_and_the_rest_self_inspect(client, coordinator, plan, unit_a, unit_b):
    finance = UnitFactory(kind=Unit.Kind.DEPARTMENT, name="Sở Tài chính tỉnh Hà Nam")
    district = UnitFactory(kind=Unit.Kind.DISTRICT, name="Ủy ban nhân dân huyện Kim Bảng")
    UnitFactory(kind=Unit.Kind.DISTRICT, name="Ủy ban nhân dân huyện Đã Giải Thể", is_active=False)
    UnitFactory(kind=Unit.Kind.COMMUNE, parent=unit_a, name="Ủy ban nhân dân xã Gamma")
    client.force_login(coordinator)

    response = client.post(url("plan_units", plan.pk), {"units": [unit_a.pk, finance.pk]}, follow=True)

    assert response.redirect_chain == [(url("plan_units", plan.pk), 302)]
    assert "Đã lưu danh sách đơn vị kiểm tra trực tiếp." in page(response)
    assert set(plan.directly_inspected_units.all()) == {unit_a, finance}
    self_inspecting = set(response.context["self_inspecting"])
    assert self_inspecting == {unit_b, district, plan.team.members.get().agency}
    assert not self_inspecting & {unit_a, finance}
    assert "Ủy ban nhân dân huyện Kim Bảng" in page(response)


def test_removing_a_unit_that_has_a_visit_is_refused(client, coordinator, plan, unit_b, visit_a):
    client.force_login(coordinator)
    before = snapshot(plan)
    response = client.post(url("plan_units", plan.pk), {"units": [unit_b.pk]})
    assert response.status_code == 200
    assert "Không thể bỏ đơn vị đã có lịch kiểm tra: Huyện Alpha." in page(response)
    assert snapshot(plan) == before


def test_the_units_page_offers_only_active_departments_and_districts(client, coordinator, plan, unit_a):
    UnitFactory(kind=Unit.Kind.COMMUNE, parent=unit_a, name="Ủy ban nhân dân xã Gamma")
    UnitFactory(kind=Unit.Kind.DISTRICT, name="Ủy ban nhân dân huyện Đã Giải Thể", is_active=False)
    client.force_login(coordinator)
    response = client.get(url("plan_units", plan.pk))
    offered = set(response.context["form"].fields["units"].queryset.values_list("kind", "is_active"))
    assert offered <= {(Unit.Kind.DEPARTMENT, True), (Unit.Kind.DISTRICT, True)}
    assert "xã Gamma" not in page(response)


def test_the_lead_named_on_the_plan_detail_is_the_teams_lead(client, leader, plan, lead):
    lead.role = TeamMember.Role.MEMBER
    lead.save(update_fields=["role"])
    client.force_login(leader)
    assert "Đoàn Kiểm tra chưa có Trưởng đoàn." in page(client.get(url("plan_detail", plan.pk)))


def test_a_deactivated_unit_with_a_visit_does_not_lock_the_units_list(
    client, coordinator, plan, unit_a, unit_b, visit_a
):
    Unit.objects.filter(pk=unit_a.pk).update(is_active=False)  # e.g. a district merged away after its visit
    finance = UnitFactory(kind=Unit.Kind.DEPARTMENT, name="Sở Tài chính tỉnh Hà Nam")
    client.force_login(coordinator)
    form = client.get(url("plan_units", plan.pk)).context["form"]
    ticked = [str(choice.data["value"]) for choice in form["units"] if choice.data["selected"]]

    # The coordinator ticks one more unit and saves what the page shows.
    response = client.post(url("plan_units", plan.pk), {"units": [*ticked, finance.pk]})

    assert response.status_code == 302
    assert set(plan.directly_inspected_units.all()) == {unit_a, unit_b, finance}
