"""Daily reminders: each kind at most once per unit and deadline, however often the job runs."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from inspections import services
from inspections.models import InspectionPlan, ReminderSent, Submission, TeamMember
from tests.factories import UnitFactory, user_with_role
from units.models import Unit
from units.roles import Role

D = datetime.date


@pytest.fixture
def setup(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    plan = services.plan_create(
        plan=InspectionPlan(
            year=2022,
            title="Kế hoạch 2022",
            window_start=D(2022, 7, 1),
            window_end=D(2022, 9, 30),
            remediation_deadline=D(2022, 9, 30),
            self_inspection_deadline=D(2022, 10, 30),
        )
    )
    direct = UnitFactory(kind=Unit.Kind.DEPARTMENT, name="Sở Tài chính tỉnh Hà Nam", short_name="Sở Tài chính")
    self_unit = UnitFactory(kind=Unit.Kind.DISTRICT, name="Ủy ban nhân dân huyện Lý Nhân", short_name="Huyện Lý Nhân")
    plan.directly_inspected_units.set([direct])
    lead = TeamMember.objects.create(team=plan.team, full_name="Trưởng đoàn", agency=direct, role="lead")
    plan.status = InspectionPlan.Status.ACTIVE
    plan.save()
    services.inspection_schedule(
        plan=plan,
        unit=direct,
        date=D(2022, 7, 12),
        start_time=datetime.time(8),
        end_time=datetime.time(11),
        place="Phòng họp",
        members=[lead],
        scheduled_on=D(2022, 6, 1),
    )
    staff = user_with_role(Role.UNIT_STAFF, unit=direct, email="stc@example.vn")
    user_with_role(Role.UNIT_STAFF, unit=self_unit, email="lynhan@example.vn")
    return plan, direct, self_unit, staff


def run(day):
    call_command("send_reminders", "--today", day.isoformat(), stdout=io.StringIO())


def test_report_reminders_go_n_days_before_on_the_day_and_once_overdue(setup, mailoutbox):
    # The report is due 05/07/2022 (visit 12/07 - 7 days); N = 3 by default.
    run(D(2022, 7, 1))
    assert mailoutbox == []
    for day in [D(2022, 7, 2), D(2022, 7, 2), D(2022, 7, 3)]:
        run(day)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["stc@example.vn"]
    assert "05/07/2022" in mailoutbox[0].body
    run(D(2022, 7, 5))
    run(D(2022, 7, 5))
    assert len(mailoutbox) == 2
    assert "Hôm nay (05/07/2022) là hạn gửi." in mailoutbox[1].body
    for day in [D(2022, 7, 6), D(2022, 7, 7), D(2022, 7, 20)]:
        run(day)
    assert len(mailoutbox) == 3
    assert "Đã quá hạn" in mailoutbox[2].body
    kinds = set(ReminderSent.objects.filter(subject="report").values_list("kind", flat=True))
    assert kinds == {"before", "due_day", "overdue"}


def test_no_reminder_once_the_report_has_arrived(setup, mailoutbox):
    plan, direct, _self_unit, staff = setup
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    services.submission_create(
        plan=plan,
        unit=direct,
        inspection=plan.inspections.get(),
        kind=Submission.Kind.REPORT,
        uploaded_file=SimpleUploadedFile("bao-cao.pdf", pdf),
        user=staff,
    )
    run(D(2022, 7, 3))
    run(D(2022, 7, 8))
    assert [m.to for m in mailoutbox if "stc@example.vn" in m.to] == []


def test_self_inspection_reminders_use_the_plans_deadline(setup, mailoutbox):
    run(D(2022, 10, 28))
    run(D(2022, 10, 29))
    si = [m for m in mailoutbox if m.to == ["lynhan@example.vn"]]
    assert len(si) == 1
    assert "30/10/2022" in si[0].body
    assert "tự kiểm tra" in si[0].subject


def test_a_missed_day_does_not_lose_the_before_reminder(setup, mailoutbox):
    run(D(2022, 7, 4))  # the job did not run on 2 or 3 July
    assert [m.to for m in mailoutbox] == [["stc@example.vn"]]


def test_units_without_an_email_address_are_tried_again_later(setup, mailoutbox):
    _plan, _direct, _self_unit, staff = setup
    staff.email = ""
    staff.save()
    run(D(2022, 7, 3))
    assert not ReminderSent.objects.filter(subject="report").exists()
    staff.email = "moi@example.vn"
    staff.save()
    run(D(2022, 7, 4))
    assert ReminderSent.objects.filter(subject="report", kind="before").count() == 1


def test_closed_or_draft_plans_send_nothing(setup, mailoutbox):
    plan = setup[0]
    plan.status = InspectionPlan.Status.CLOSED
    plan.save()
    run(D(2022, 7, 5))
    run(D(2022, 10, 30))
    assert mailoutbox == []
