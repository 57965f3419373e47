"""One inspected world for the security tests: two units (A and B), each with every kind of object
the URLs take, the eight principals of the access matrix, and a unique marker in each unit's data.

Team X is the 2022 plan's team: its lead and a member go on both visits (A and B). Team Y is the
2023 plan's team: its member goes on another unit's visit only. Inspectors read every plan (their
role is province-wide), so a member of team Y reaches plan X's pages but none of its visits.

Each unit's marker has three parts, for what each reader may see of it:
  <marker>-unit   unit names (the registry is read province-wide by every non-unit role),
  <marker>-self   the self-inspection (read by every province-wide role),
  <marker>-visit  the visit: place, reports, findings, evidence, conclusion, remediation (read by
                  the coordinator, leadership, the inspectors going on it and the unit itself).
"""

import datetime
import io
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfWriter

from inspections import services
from inspections.models import (
    CalendarToken,
    ChecklistAnswer,
    Finding,
    InspectionPlan,
    TeamMember,
)
from reports import summary_docs
from reports.models import GeneratedDocument
from reports.summary import summary_data
from tests.factories import UnitFactory, user_with_role
from tests.inspections.factories import D, schedule_visit
from units.models import Unit
from units.roles import Role

MARK_A = "ALPHA-MARKER-7f3a"
MARK_B = "BETA-MARKER-91c2"
PRINCIPALS = ("anon", "coord", "user_a", "user_b", "member_x", "lead_x", "member_y", "leader")


@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def pdf_bytes(title: str = "") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if title:
        writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(name), content_type="application/pdf")


def _plan(year: int, title: str) -> InspectionPlan:
    return services.plan_create(
        plan=InspectionPlan(
            year=year,
            number="1357",
            issue_date=D(year, 5, 10),
            title=title,
            window_start=D(year, 7, 1),
            window_end=D(year, 9, 30),
            remediation_deadline=D(year, 9, 30),
            self_inspection_deadline=D(year, 10, 30),
        )
    )


def _activate(plan: InspectionPlan) -> None:
    plan.status = InspectionPlan.Status.ACTIVE
    plan.save(update_fields=["status"])


def _side(mark: str, letter: str, order: int, *, plan, members, lead_user, day) -> SimpleNamespace:
    """One unit with every object a URL takes: its visit (team X), reports, findings with evidence,
    a one-stop answer, a notice, an issued conclusion with a request the unit has reported on,
    its self-inspection with files and a finding, appendix figures and paper copies."""
    s = SimpleNamespace(mark=mark)
    s.unit = UnitFactory(
        kind=Unit.Kind.DISTRICT,
        name=f"Ủy ban nhân dân huyện {mark}-unit",
        short_name=f"Huyện {mark}-unit",
        code=f"SEC{letter}0",
        sort_order=order,
    )
    s.commune = UnitFactory(
        kind=Unit.Kind.COMMUNE,
        parent=s.unit,
        name=f"Ủy ban nhân dân xã {mark}-unit",
        short_name=f"Xã {mark}-unit",
        code=f"SEC{letter}1",
        sort_order=order + 1,
    )
    s.division = UnitFactory(
        kind=Unit.Kind.DIVISION,
        parent=s.unit,
        name=f"Phòng Nội vụ {mark}-unit",
        short_name=f"Phòng Nội vụ {mark}-unit",
        code=f"SEC{letter}2",
        sort_order=order + 2,
    )
    s.user = user_with_role(Role.UNIT_STAFF, username=f"user_{letter.lower()}", unit=s.unit, email=f"{letter}@x.vn")
    plan.directly_inspected_units.add(s.unit)
    s.visit = schedule_visit(plan, s.unit, members, day=day, place=f"Hội trường {mark}-visit")
    s.report = services.submission_create(
        plan=plan,
        unit=s.unit,
        inspection=s.visit,
        kind="report",
        uploaded_file=pdf_upload(f"Báo cáo {mark}-visit.pdf"),
        user=s.user,
    )
    services.paper_copies_record(inspection=s.visit, count=8, received_on=D(2022, 8, 1), user=s.user)
    services.appendix_save(plan=plan, unit=s.unit, values={f.code: 0 for f in plan.figures.all()}, user=s.user)
    area3 = plan.areas.get(number=3)
    s.finding = services.finding_record(
        inspection=s.visit,
        area=area3,
        criterion=None,
        kind=Finding.Kind.SHORTCOMING,
        text=f"Chưa niêm yết thủ tục {mark}-visit",
        user=lead_user,
        files=[pdf_upload(f"Ảnh Một cửa {mark}-visit.pdf")],
    )
    s.finding_evidence = s.finding.evidence.get()
    services.checked_divisions_set(inspection=s.visit, units=[s.division])
    s.answer = services.checklist_answer(
        inspection=s.visit,
        desk_unit=s.unit,
        item=plan.checklist_items.first(),
        answer=ChecklistAnswer.Answer.NO,
        note=f"Thiếu bảng niêm yết {mark}-visit",
        user=lead_user,
    )
    s.notice = services.notice_send(inspection=s.visit, user=lead_user)
    s.conclusion = services.conclusion_start(inspection=s.visit, user=lead_user)
    s.action = services.action_add(
        conclusion=s.conclusion, finding=s.finding, text=f"Niêm yết đủ thủ tục {mark}-visit", user=lead_user
    )
    services.conclusion_save(
        conclusion=s.conclusion, general_assessment=f"Đánh giá chung {mark}-visit", areas={}, user=lead_user
    )
    s.revision = services.conclusion_issue(conclusion=s.conclusion, user=lead_user)
    s.remediation = services.remediation_report(
        action=s.action,
        text=f"Đã niêm yết {mark}-visit",
        user=s.user,
        files=[pdf_upload(f"Ảnh sau khắc phục {mark}-visit.pdf")],
    )
    s.remediation_evidence = s.remediation.evidence.get()
    for obj in (s.conclusion, s.action, s.visit):
        obj.refresh_from_db()
    s.self_inspection = services.self_inspection_get(plan=plan, unit=s.unit)
    s.self_report = services.submission_create(
        plan=plan,
        unit=s.unit,
        kind="si_report",
        uploaded_file=pdf_upload(f"Báo cáo tự kiểm tra {mark}-self.pdf"),
        user=s.user,
    )
    services.self_inspected_unit_add(
        self_inspection=s.self_inspection, unit=s.commune, inspected_on=D(2022, 6, 1), user=s.user
    )
    s.self_finding = services.self_inspection_finding_add(
        self_inspection=s.self_inspection,
        area=plan.areas.get(number=1),
        criterion=None,
        kind=Finding.Kind.SHORTCOMING,
        text=f"Tự kiểm tra: chậm ban hành kế hoạch {mark}-self",
        user=s.user,
    )
    s.token = CalendarToken.objects.create(user=s.user)
    return s


def build_world() -> SimpleNamespace:
    w = SimpleNamespace()
    home_affairs = UnitFactory(kind=Unit.Kind.DEPARTMENT, name="Sở Nội vụ tỉnh Hà Nam", short_name="Sở Nội vụ")
    w.coord = user_with_role(Role.COORDINATOR, username="coord", is_staff=True)
    w.leader = user_with_role(Role.LEADERSHIP, username="leader")
    w.lead_x = user_with_role(Role.INSPECTOR, username="lead_x", email="lead_x@x.vn")
    w.member_x = user_with_role(Role.INSPECTOR, username="member_x", email="member_x@x.vn")
    w.member_y = user_with_role(Role.INSPECTOR, username="member_y", email="member_y@x.vn")

    w.plan = _plan(2022, "Kế hoạch kiểm tra công tác cải cách hành chính năm 2022")
    team_x = w.plan.team
    w.lead_x_member = TeamMember.objects.create(
        team=team_x, user=w.lead_x, position="Phó Giám đốc", agency=home_affairs, role=TeamMember.Role.LEAD
    )
    w.member_x_member = TeamMember.objects.create(
        team=team_x, user=w.member_x, position="Chuyên viên", agency=home_affairs
    )
    _activate(w.plan)
    members = [w.lead_x_member, w.member_x_member]
    w.a = _side(MARK_A, "A", 100, plan=w.plan, members=members, lead_user=w.lead_x, day=D(2022, 8, 9))
    w.b = _side(MARK_B, "B", 200, plan=w.plan, members=members, lead_user=w.lead_x, day=D(2022, 8, 10))
    w.area = w.plan.areas.get(number=3)
    w.criterion = w.area.criteria.order_by("pk").last()

    # Team Y: the 2023 plan's team, going to a third unit.
    w.plan_y = _plan(2023, "Kế hoạch kiểm tra công tác cải cách hành chính năm 2023")
    w.member_y_member = TeamMember.objects.create(
        team=w.plan_y.team, user=w.member_y, position="Chuyên viên", agency=home_affairs
    )
    _activate(w.plan_y)
    w.unit_c = UnitFactory(kind=Unit.Kind.DISTRICT, name="Ủy ban nhân dân huyện Gamma", short_name="Huyện Gamma")
    w.plan_y.directly_inspected_units.add(w.unit_c)
    w.visit_y = schedule_visit(w.plan_y, w.unit_c, [w.member_y_member], day=D(2023, 8, 8))

    # A finished summary document (the worker's result, written as the worker writes it).
    w.document = GeneratedDocument.objects.create(
        plan=w.plan, kind=GeneratedDocument.Kind.XLSX, requested_by=w.coord, status=GeneratedDocument.Status.DONE
    )
    w.document.file.save(w.document.filename, ContentFile(summary_docs.summary_xlsx(summary_data(w.plan))))
    w.member_token = CalendarToken.objects.create(user=w.member_x)

    # Rows for the admin's object pages of every registered model.
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    w.group = Group.objects.get(name=Role.UNIT_STAFF)
    w.attempt = AccessAttempt.objects.create(
        username="user_a", ip_address="10.0.0.9", user_agent="t", failures_since_start=1, attempt_time=now
    )
    w.access_log = AccessLog.objects.create(username="user_a", ip_address="10.0.0.9", user_agent="t", attempt_time=now)
    w.failure_log = AccessFailureLog.objects.create(
        username="user_a", ip_address="10.0.0.9", user_agent="t", attempt_time=now, locked_out=False
    )
    w.task_result = DBTaskResult.objects.create(
        args_kwargs={"args": [w.document.pk], "kwargs": {}},
        task_path="reports.tasks.render_summary",
        backend_name="default",
        run_after=now,
        exception_class_path="",
        traceback="",
    )
    w.figure = w.plan.figures.first()
    w.figure_rule = w.plan.figure_rules.first()
    w.users = {
        "coord": w.coord,
        "user_a": w.a.user,
        "user_b": w.b.user,
        "member_x": w.member_x,
        "lead_x": w.lead_x,
        "member_y": w.member_y,
        "leader": w.leader,
    }
    w.today = datetime.date.today()
    return w


@pytest.fixture
def world(db, fast_passwords, media_root):
    return build_world()
