"""The refusals and warnings of scheduling a visit (inspections.services.check_schedule)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from inspections import services
from inspections.models import Inspection, InspectionPlan, TeamMember
from tests.factories import UnitFactory, user_with_role
from units.models import Unit
from units.roles import Role

D = datetime.date
T = datetime.time


@pytest.fixture
def plan_2022(db):
    plan = services.plan_create(
        plan=InspectionPlan(
            year=2022,
            title="Kế hoạch kiểm tra CCHC năm 2022",
            window_start=D(2022, 7, 1),
            window_end=D(2022, 9, 30),
            remediation_deadline=D(2022, 9, 30),
            self_inspection_deadline=D(2022, 10, 30),
        )
    )
    return plan


@pytest.fixture
def units(plan_2022):
    dept = UnitFactory(kind=Unit.Kind.DEPARTMENT, name="Sở Tài chính tỉnh Hà Nam", short_name="Sở Tài chính")
    district = UnitFactory(kind=Unit.Kind.DISTRICT, name="Ủy ban nhân dân huyện Bình Lục", short_name="Huyện Bình Lục")
    plan_2022.directly_inspected_units.set([dept, district])
    return dept, district


@pytest.fixture
def members(plan_2022):
    agency = UnitFactory(kind=Unit.Kind.DEPARTMENT, name="Sở Nội vụ tỉnh Hà Nam")
    lead = TeamMember.objects.create(team=plan_2022.team, full_name="Vũ Đức Minh", agency=agency, role="lead")
    member = TeamMember.objects.create(team=plan_2022.team, full_name="Đỗ Thị Thu Hà", agency=agency, role="member")
    return lead, member


VISIT_DAY, START, END, SCHEDULED_ON = D(2022, 7, 12), T(8), T(11, 30), D(2022, 6, 20)


def schedule(plan, unit, members, day=VISIT_DAY, start=START, end=END, scheduled_on=SCHEDULED_ON):
    return services.inspection_schedule(
        plan=plan,
        unit=unit,
        date=day,
        start_time=start,
        end_time=end,
        place="Phòng họp",
        members=members,
        scheduled_on=scheduled_on,
    )


def refusal(callable_, field):
    with pytest.raises(ValidationError) as error:
        callable_()
    return " ".join(error.value.message_dict[field])


def test_a_visit_in_the_window_is_scheduled_and_its_report_due_date_is_computed(plan_2022, units, members):
    visit = schedule(plan_2022, units[0], members)
    assert visit.report_due_date == D(2022, 7, 5)
    assert visit.schedule_warnings() == []
    assert list(visit.members.all()) == list(members)


def test_report_due_date_follows_the_plans_lead_days(plan_2022, units, members):
    plan_2022.report_lead_days = 10
    plan_2022.save()
    visit = schedule(plan_2022, units[0], members)
    visit.refresh_from_db()
    assert visit.report_due_date == D(2022, 7, 2)


@pytest.mark.parametrize("day", [D(2022, 6, 30), D(2022, 10, 1)])
def test_a_date_outside_the_window_is_refused(plan_2022, units, members, day):
    message = refusal(lambda: schedule(plan_2022, units[0], members, day=day), "date")
    assert "Ngày kiểm tra phải trong thời gian kiểm tra của kế hoạch: từ 01/07/2022 đến 30/09/2022." in message
    assert Inspection.objects.count() == 0


def test_a_unit_scheduled_twice_in_one_plan_is_refused(plan_2022, units, members):
    schedule(plan_2022, units[0], members[:1])
    message = refusal(lambda: schedule(plan_2022, units[0], members[1:], day=D(2022, 8, 2)), "unit")
    assert "Sở Tài chính đã có lịch kiểm tra trong kế hoạch này (ngày 12/07/2022)." in message
    assert Inspection.objects.count() == 1


def test_a_member_in_two_visits_at_the_same_time_is_refused(plan_2022, units, members):
    schedule(plan_2022, units[0], members, start=T(8), end=T(11, 30))
    message = refusal(
        lambda: schedule(plan_2022, units[1], members[1:], start=T(10), end=T(16)),
        "members",
    )
    assert "Đỗ Thị Thu Hà đã có lịch kiểm tra Sở Tài chính cùng thời gian (08:00-11:30 ngày 12/07/2022)." in message
    assert Inspection.objects.count() == 1


def test_the_same_member_may_go_to_two_visits_on_one_day_at_different_times(plan_2022, units, members):
    schedule(plan_2022, units[0], members, start=T(8), end=T(11, 30))
    schedule(plan_2022, units[1], members, start=T(13, 30), end=T(17))
    assert Inspection.objects.count() == 2


def test_end_before_start_is_refused(plan_2022, units, members):
    message = refusal(lambda: schedule(plan_2022, units[0], members, start=T(11), end=T(9)), "end_time")
    assert "Giờ kết thúc phải sau giờ bắt đầu." in message


def test_a_unit_not_chosen_for_direct_inspection_is_refused(plan_2022, units, members):
    outsider = UnitFactory(kind=Unit.Kind.DEPARTMENT, short_name="Sở Y tế")
    message = refusal(lambda: schedule(plan_2022, outsider, members), "unit")
    assert "không thuộc danh sách kiểm tra trực tiếp" in message


def test_a_closed_plan_refuses_any_scheduling(plan_2022, units, members):
    plan_2022.status = InspectionPlan.Status.CLOSED
    plan_2022.save()
    with pytest.raises(ValidationError, match="Kế hoạch đã kết thúc"):
        schedule(plan_2022, units[0], members)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2022, 7, 16), "Ngày kiểm tra rơi vào cuối tuần."),
        (D(2022, 9, 2), "Ngày kiểm tra là ngày nghỉ lễ: Quốc khánh."),
        (D(2022, 9, 1), "Ngày kiểm tra là ngày nghỉ lễ: Quốc khánh."),
        (D(2022, 9, 26), "Chỉ còn 4 ngày từ buổi kiểm tra đến hạn báo cáo khắc phục (30/09/2022)."),
    ],
)
def test_warnings_are_saved_and_shown(plan_2022, units, members, day, expected):
    visit = schedule(plan_2022, units[0], members, day=day)
    assert Inspection.objects.filter(pk=visit.pk).exists()
    assert expected in [str(w) for w in visit.schedule_warnings()]
    assert visit.has_open_warnings


def test_warning_when_the_report_deadline_has_passed_at_scheduling(plan_2022, units, members):
    visit = schedule(plan_2022, units[0], members, day=D(2022, 7, 12), scheduled_on=D(2022, 7, 8))
    assert "Hạn gửi báo cáo (05/07/2022) đã qua khi xếp lịch (08/07/2022)." in [
        str(w) for w in visit.schedule_warnings()
    ]


def test_acknowledged_warnings_are_no_longer_open_until_the_visit_moves(plan_2022, units, members):
    coordinator = user_with_role(Role.COORDINATOR)
    visit = schedule(plan_2022, units[0], members, day=D(2022, 7, 16))
    services.inspection_acknowledge_warnings(inspection=visit, user=coordinator)
    assert not visit.has_open_warnings
    services.inspection_reschedule(
        inspection=visit,
        date=D(2022, 7, 17),
        start_time=T(8),
        end_time=T(11),
        place="Phòng họp",
        reason="Đơn vị bận họp",
        user=coordinator,
    )
    visit.refresh_from_db()
    assert visit.has_open_warnings


def test_reschedule_keeps_the_earlier_date_with_who_and_why(plan_2022, units, members):
    coordinator = user_with_role(Role.COORDINATOR)
    visit = schedule(plan_2022, units[0], members)
    change = services.inspection_reschedule(
        inspection=visit,
        date=D(2022, 7, 20),
        start_time=T(14),
        end_time=T(17),
        place="Hội trường",
        reason="Lãnh đạo Sở đi công tác",
        user=coordinator,
    )
    visit.refresh_from_db()
    assert (visit.date, visit.place) == (D(2022, 7, 20), "Hội trường")
    assert (change.old_date, change.old_start_time, change.old_place) == (D(2022, 7, 12), T(8), "Phòng họp")
    assert (change.changed_by, change.reason) == (coordinator, "Lãnh đạo Sở đi công tác")
    assert visit.report_due_date == D(2022, 7, 13)


def test_reschedule_is_refused_without_a_reason_or_outside_the_window(plan_2022, units, members):
    coordinator = user_with_role(Role.COORDINATOR)
    visit = schedule(plan_2022, units[0], members)

    def move(day, reason):
        return lambda: services.inspection_reschedule(
            inspection=visit, date=day, start_time=T(8), end_time=T(11), place="P", reason=reason, user=coordinator
        )

    assert "Nhập lý do" in refusal(move(D(2022, 7, 20), "  "), "reason")
    assert "thời gian kiểm tra" in refusal(move(D(2022, 10, 3), "Lý do"), "date")
    visit.refresh_from_db()
    assert visit.date == D(2022, 7, 12)
    assert visit.reschedules.count() == 0
