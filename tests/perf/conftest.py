"""A world that grows: one active 2022 plan whose units, visits, files, findings, conclusions and
remediation can be multiplied, for the query-count test of every page.

`world.grow(n)` adds `n` units with all their data, and grows the children of the objects the
detail pages show (the focal visit's findings, the focal conclusion's actions, the focal action's
reports, the focal self-inspection's units...), so that a page whose queries depend on how many
rows it shows makes more queries after growing.

Rows are written straight to the tables (as tests/inspections/test_query_counts.py does): the
services' rules are tested elsewhere, and the builder must stay fast at the large size. Stored
files are only named, never written: no page this test renders reads a file's bytes (the dossier
lists a missing file in its index, which is all this test needs of it).
"""

import datetime

import pytest
from django.apps import apps
from django.utils import timezone

from inspections import services
from inspections.models import (
    AppendixValue,
    CalendarToken,
    ChecklistAnswer,
    Conclusion,
    ConclusionArea,
    ConclusionRevision,
    EvidenceFile,
    Finding,
    Inspection,
    InspectionPlan,
    PaperCopyReceipt,
    RemediationAction,
    RemediationReport,
    RemediationReview,
    Reschedule,
    ScheduleNotice,
    SelfInspectedUnit,
    SelfInspection,
    Submission,
    TeamMember,
)
from reports.models import GeneratedDocument, SummaryNote
from tests.factories import user_with_role
from tests.inspections.factories import PlanFactory
from units.models import Unit
from units.roles import Role

D = datetime.date
T = datetime.time
SHA = "0" * 64


def _moment(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, T(hour)))


def _unit(kind, code, name, short_name, parent=None, order=0) -> Unit:
    return Unit.objects.create(kind=kind, code=code, name=name, short_name=short_name, parent=parent, sort_order=order)


class World:
    """The plan, its people and the focal objects; `grow(n)` adds n units with their data."""

    def __init__(self, *, coordinator, leader, inspector, unit_a, user_a):
        self.coordinator, self.leader, self.inspector = coordinator, leader, inspector
        self.unit_a, self.user_a = unit_a, user_a
        self.size = 0
        self.home_affairs = _unit(Unit.Kind.DEPARTMENT, "SNV", "Sở Nội vụ tỉnh Hà Nam", "Sở Nội vụ", order=1)
        self.plan = services.plan_create(
            plan=InspectionPlan(
                year=2022,
                number="1357",
                issue_date=D(2022, 5, 10),
                title="Kiểm tra việc thực hiện công tác cải cách hành chính năm 2022 trên địa bàn tỉnh Hà Nam",
                window_start=D(2022, 7, 1),
                window_end=D(2022, 9, 30),
                remediation_deadline=D(2022, 9, 30),
                self_inspection_deadline=D(2022, 10, 30),
            )
        )
        self.plan.status = InspectionPlan.Status.ACTIVE
        self.plan.save(update_fields=["status"])
        self.areas = list(self.plan.areas.order_by("number"))
        self.criteria = list(self.areas[0].criteria.order_by("order")[:2])
        self.figures = list(self.plan.figures.order_by("order")[:3])
        self.item = self.plan.checklist_items.order_by("order").first()
        self.team = self.plan.team
        self.lead_user = user_with_role(Role.INSPECTOR, username="lead", first_name="Hạnh", last_name="Nguyễn Thị")
        self.lead = TeamMember.objects.create(
            team=self.team, user=self.lead_user, full_name="", agency=self.home_affairs, role=TeamMember.Role.LEAD
        )
        self.inspector_member = TeamMember.objects.create(
            team=self.team, user=inspector, position="Chuyên viên", agency=self.home_affairs
        )
        self.outsider = TeamMember.objects.create(
            team=self.team, full_name="Trần Văn Ngoài", position="Chuyên viên", agency=self.home_affairs
        )
        self.unit_c = _unit(Unit.Kind.DISTRICT, "GAM", "Ủy ban nhân dân huyện Gamma", "Huyện Gamma", order=80)
        self.user_c = user_with_role(Role.UNIT_STAFF, username="user_c", unit=self.unit_c)
        self.plan.directly_inspected_units.set([unit_a, self.unit_c])

        # The visit of unit A (a district): the lead and the inspector go; its conclusion is issued,
        # reopened once and issued again; its first action goes back and forth with the coordinator.
        self.visit_a = self._visit(unit_a, D(2022, 8, 9), [self.lead, self.inspector_member])
        self.finding_a = self._finding(self.visit_a, Finding.Kind.SHORTCOMING, self.areas[2], self.inspector)
        self._evidence(self.finding_a, "a0")
        self.strength_a = self._finding(self.visit_a, Finding.Kind.STRENGTH, self.areas[0], self.inspector)
        self.conclusion_a = self._conclusion(self.visit_a, issued=True)
        self.action_a = self._action(self.conclusion_a, self.finding_a)
        self.revision_a1 = ConclusionRevision.objects.create(
            conclusion=self.conclusion_a,
            number=1,
            snapshot=services.conclusion_snapshot(self.conclusion_a),
            issued_by=self.lead_user,
            issued_at=_moment(D(2022, 8, 20)),
            reopened_by=self.lead_user,
            reopened_at=_moment(D(2022, 8, 22)),
            reopen_reason="Bổ sung yêu cầu khắc phục.",
        )
        self.revision_a2 = ConclusionRevision.objects.create(
            conclusion=self.conclusion_a,
            number=2,
            snapshot=services.conclusion_snapshot(self.conclusion_a),
            issued_by=self.lead_user,
            issued_at=_moment(D(2022, 8, 23)),
        )
        self.submission_a = self._submission(unit_a, Submission.Kind.REPORT, "a0", visit=self.visit_a, by=user_a)
        self.evidence_a = self.finding_a.evidence.get()

        # The visit of unit C (a district), under way: the lead and the inspector record findings,
        # check divisions and one-stop desks; the conclusion is a draft.
        self.visit_c = self._visit(self.unit_c, D(2022, 8, 10), [self.lead, self.inspector_member])
        self.finding_c = self._finding(self.visit_c, Finding.Kind.SHORTCOMING, self.areas[1], self.inspector)
        self._evidence(self.finding_c, "c0")
        self.conclusion_c = self._conclusion(self.visit_c, issued=False)
        self._action(self.conclusion_c, self.finding_c)
        ChecklistAnswer.objects.create(
            inspection=self.visit_c,
            desk_unit=self.unit_c,
            item=self.item,
            answer=ChecklistAnswer.Answer.NO,
            answered_by=self.inspector,
        )

        # A district not inspected directly, inspecting itself, with one account.
        self.unit_s = _unit(Unit.Kind.DISTRICT, "SIG", "Ủy ban nhân dân huyện Sigma", "Huyện Sigma", order=90)
        self.user_s = user_with_role(Role.UNIT_STAFF, username="user_s", unit=self.unit_s)
        self.self_inspection = SelfInspection.objects.create(plan=self.plan, unit=self.unit_s)

        self.document = GeneratedDocument.objects.create(
            plan=self.plan,
            kind=GeneratedDocument.Kind.PDF,
            status=GeneratedDocument.Status.DONE,
            file="generated/2022/tong-hop.pdf",
            requested_by=coordinator,
            finished_at=timezone.now(),
        )
        SummaryNote.objects.create(plan=self.plan, recommendations="Tăng cường kiểm tra.", updated_by=coordinator)
        self.lead_token = CalendarToken.objects.create(user=self.lead_user)
        self.unit_token = CalendarToken.objects.create(user=user_a)
        PlanFactory(year=2021, status=InspectionPlan.Status.CLOSED)

    # --- Building blocks ---------------------------------------------------------------------

    def _visit(self, unit, day, members, status=Inspection.Status.SCHEDULED) -> Inspection:
        visit = Inspection.objects.create(
            plan=self.plan,
            unit=unit,
            date=day,
            start_time=T(8),
            end_time=T(11, 30),
            place=f"Hội trường {unit.short_name}",
            scheduled_on=D(2022, 6, 20),
            status=status,
        )
        visit.members.set(members)
        return visit

    def _finding(self, visit, kind, area, by, criterion=None, text="Chưa công khai đầy đủ thủ tục hành chính."):
        return Finding.objects.create(
            plan=self.plan,
            unit=visit.unit,
            inspection=visit,
            area=area,
            criterion=criterion,
            kind=kind,
            text=text,
            created_by=by or self.lead_user,
        )

    def _evidence(self, finding=None, tag="", report=None) -> EvidenceFile:
        return EvidenceFile.objects.create(
            finding=finding,
            remediation_report=report,
            file=f"evidence/perf-{tag}.pdf",
            original_name=f"Biên bản {tag}.pdf",
            extension="pdf",
            size=2048,
            sha256=SHA,
            uploaded_by=self.lead_user if report is None else report.submitted_by,
            uploaded_at=_moment(D(2022, 8, 9)),
        )

    def _submission(self, unit, kind, tag, *, by, visit=None, day=None) -> Submission:
        return Submission.objects.create(
            plan=self.plan,
            unit=unit,
            inspection=visit,
            kind=kind,
            file=f"submissions/2022/{unit.code}/{tag}.pdf",
            original_name=f"Báo cáo {tag}.pdf",
            extension="pdf",
            size=4096,
            sha256=SHA,
            uploaded_by=by,
            uploaded_at=_moment(day or D(2022, 7, 30)),
            due_date=services.submission_due_date(plan=self.plan, kind=kind, inspection=visit),
        )

    def _conclusion(self, visit, *, issued) -> Conclusion:
        conclusion = Conclusion.objects.create(
            inspection=visit,
            general_assessment="Đơn vị đã triển khai cơ bản đầy đủ các nhiệm vụ cải cách hành chính.",
            status=Conclusion.Status.ISSUED if issued else Conclusion.Status.DRAFT,
            updated_by=self.lead_user,
        )
        ConclusionArea.objects.bulk_create(
            ConclusionArea(conclusion=conclusion, area=area, strengths="- Có kế hoạch.", shortcomings="- Chậm.")
            for area in self.areas
        )
        return conclusion

    def _action(self, conclusion, finding) -> RemediationAction:
        return RemediationAction.objects.create(
            conclusion=conclusion,
            unit=conclusion.inspection.unit,
            finding=finding,
            text=finding.text,
            deadline=self.plan.remediation_deadline,
        )

    def _report(self, action, by, tag) -> RemediationReport:
        report = RemediationReport.objects.create(
            action=action, text="Đã niêm yết công khai thủ tục.", submitted_by=by, submitted_at=_moment(D(2022, 9, 5))
        )
        self._evidence(report=report, tag=tag)
        return report

    def _notice(self, visit, kind, reschedule=None) -> ScheduleNotice:
        return ScheduleNotice.objects.create(
            inspection=visit,
            kind=kind,
            reschedule=reschedule,
            pdf=f"notices/2022/{visit.unit.code}-{kind}.pdf",
            recipients="vanphong@hanam.gov.vn",
            sent_by=self.coordinator,
        )

    def _reschedule(self, visit, i) -> Reschedule:
        return Reschedule.objects.create(
            inspection=visit,
            old_date=D(2022, 8, 1 + i % 20),
            old_start_time=T(8),
            old_end_time=T(11),
            old_place="Hội trường cũ",
            new_date=visit.date,
            new_start_time=visit.start_time,
            new_end_time=visit.end_time,
            new_place=visit.place,
            reason="Trùng lịch họp của Ủy ban.",
            changed_by=self.coordinator,
        )

    # --- Growing -----------------------------------------------------------------------------

    def grow(self, n: int) -> "World":
        for _ in range(n):
            self._grow_one(self.size)
            self.size += 1
        # The issued text follows what the conclusion now holds, as issuing it again would.
        self.revision_a2.snapshot = services.conclusion_snapshot(self.conclusion_a)
        self.revision_a2.save(update_fields=["snapshot"])
        return self

    def _grow_one(self, i: int) -> None:
        self._grow_units(i)
        self._grow_focal(i)
        PlanFactory()  # the plan list grows too

    def _grow_units(self, i: int) -> None:
        """A district inspected directly (with a commune and a division), and a department that
        inspects itself (with a division); each with an account and all their data."""
        district = _unit(
            Unit.Kind.DISTRICT, f"PD{i:04d}", f"Ủy ban nhân dân huyện Thử {i}", f"Huyện Thử {i}", order=100 + i
        )
        _unit(Unit.Kind.COMMUNE, f"PC{i:04d}", f"Ủy ban nhân dân xã Thử {i}", f"Xã Thử {i}", district)
        division = _unit(Unit.Kind.DIVISION, f"PV{i:04d}", f"Phòng Nội vụ huyện Thử {i}", f"Phòng Nội vụ {i}", district)
        department = _unit(Unit.Kind.DEPARTMENT, f"PS{i:04d}", f"Sở Thử {i} tỉnh Hà Nam", f"Sở Thử {i}", order=10 + i)
        department_division = _unit(
            Unit.Kind.DIVISION, f"PW{i:04d}", f"Văn phòng Sở Thử {i}", f"Văn phòng Sở {i}", department
        )
        staff = user_with_role(Role.UNIT_STAFF, username=f"perf_d{i}", unit=district)
        department_staff = user_with_role(Role.UNIT_STAFF, username=f"perf_s{i}", unit=department)
        self.plan.directly_inspected_units.add(district)
        member_user = user_with_role(Role.INSPECTOR, username=f"perf_m{i}", first_name="", last_name=f"Phạm Văn {i}")
        account = TeamMember.objects.create(team=self.team, user=member_user, full_name="", agency=department)
        outsider = TeamMember.objects.create(team=self.team, full_name=f"Lê Văn Khách {i}", agency=department)
        self.visit_a.members.add(account)  # the focal visit's party grows too

        # The department's self-inspection: its plan, its report, its division and a finding.
        self_inspection = SelfInspection.objects.create(plan=self.plan, unit=department)
        SelfInspectedUnit.objects.create(
            self_inspection=self_inspection, unit=department_division, inspected_on=D(2022, 6, 1), recorded_by=staff
        )
        Finding.objects.create(
            plan=self.plan,
            unit=department,
            area=self.areas[i % 7],
            kind=Finding.Kind.SHORTCOMING,
            text="Chưa rà soát thủ tục.",
            created_by=department_staff,
        )
        self._submission(department, Submission.Kind.SELF_INSPECTION_PLAN, f"sp{i}", by=department_staff)
        self._submission(
            department,
            Submission.Kind.SELF_INSPECTION_REPORT,
            f"sr{i}",
            by=department_staff,
            day=D(2022, 11, i % 28 + 1),
        )

        if i % 5 == 4:
            return  # one district in five is still waiting for its visit to be scheduled
        done = i % 3 == 2
        status = Inspection.Status.DONE if done else Inspection.Status.SCHEDULED
        visit = self._visit(
            district, D(2022, 8, 1 + i % 28), [self.lead, self.inspector_member, account, outsider], status
        )
        visit.checked_divisions.add(division)
        strength = self._finding(visit, Finding.Kind.STRENGTH, self.areas[0], account.user, self.criteria[i % 2])
        shortcoming = self._finding(visit, Finding.Kind.SHORTCOMING, self.areas[i % 7], account.user)
        self._evidence(strength, f"s{i}")
        self._evidence(shortcoming, f"c{i}")
        self._submission(district, Submission.Kind.REPORT, f"r{i}", visit=visit, by=staff, day=D(2022, 7, 20 + i % 10))
        self._submission(district, Submission.Kind.APPENDIX, f"p{i}", visit=visit, by=staff)
        PaperCopyReceipt.objects.create(
            inspection=visit, count=8, received_on=D(2022, 8, 1), recorded_by=self.coordinator
        )
        AppendixValue.objects.bulk_create(
            AppendixValue(plan=self.plan, unit=district, figure=figure, value=10 * n, updated_by=staff)
            for n, figure in enumerate(self.figures, start=1)
        )
        ChecklistAnswer.objects.create(
            inspection=visit,
            desk_unit=district,
            item=self.item,
            answer=ChecklistAnswer.Answer.NO,
            answered_by=self.inspector,
        )
        self._notice(visit, ScheduleNotice.Kind.UPDATE, self._reschedule(visit, i))
        conclusion = self._conclusion(visit, issued=done)
        action = self._action(conclusion, shortcoming)
        if done:
            ConclusionRevision.objects.create(
                conclusion=conclusion,
                number=1,
                snapshot=services.conclusion_snapshot(conclusion),
                issued_by=self.lead_user,
            )
            self._report(action, staff, f"k{i}")
            action.status = RemediationAction.Status.REPORTED
            action.save(update_fields=["status"])

    def _grow_focal(self, i: int) -> None:
        """The children of what the detail pages show."""
        self.plan.areas.get(number=i % 7 + 1).criteria.create(order=100 + i, text=f"Tiêu chí bổ sung {i}")
        # The visit of unit A (issued): a finding with its evidence, an action, a new file version,
        # paper copies, a reschedule with its notice.
        kind = Finding.Kind.SHORTCOMING if i % 2 == 0 else Finding.Kind.STRENGTH
        finding = self._finding(self.visit_a, kind, self.areas[i % 7], self.inspector, self.criteria[i % 2])
        self._evidence(finding, f"a{i + 1}")
        if kind == Finding.Kind.SHORTCOMING:
            self._action(self.conclusion_a, finding)
        report_kind = Submission.Kind.REPORT if i % 2 == 0 else Submission.Kind.APPENDIX
        self._submission(self.unit_a, report_kind, f"a{i + 1}", visit=self.visit_a, by=self.user_a)
        PaperCopyReceipt.objects.create(
            inspection=self.visit_a, count=1, received_on=D(2022, 8, 2), recorded_by=self.coordinator
        )
        self._notice(self.visit_a, ScheduleNotice.Kind.UPDATE, self._reschedule(self.visit_a, i))
        # Its first action: reported, returned with a comment, reported again...
        report = self._report(self.action_a, self.user_a, f"ka{i}")
        RemediationReview.objects.create(
            action=self.action_a,
            report=report,
            decision=RemediationReview.Decision.RETURNED,
            comment="Bổ sung ảnh chụp bảng niêm yết.",
            reviewed_by=self.coordinator,
        )
        # Every one of these saves is a line on a history page.
        self.action_a.status = RemediationAction.Status.RETURNED if i % 2 else RemediationAction.Status.REPORTED
        self.action_a.save(update_fields=["status"])
        self.visit_a.place = f"Phòng họp số {i}"
        self.visit_a.warnings_acknowledged_by = self.coordinator if i % 2 else None
        self.visit_a.save(update_fields=["place", "warnings_acknowledged_by"])
        self.finding_a.text = f"Chưa công khai đầy đủ thủ tục hành chính (lần {i})."
        self.finding_a.save(update_fields=["text"])
        self.plan.place = f"Hà Nam {i}"
        self.plan.save(update_fields=["place"])
        self.conclusion_a.general_assessment += " Đã sửa."
        self.conclusion_a.save(update_fields=["general_assessment"])
        summary = self.conclusion_a.areas.get(area=self.areas[i % 7])
        summary.causes = f"Nguyên nhân {i}"
        summary.save(update_fields=["causes"])

        # The visit of unit C (under way): a commune (a one-stop desk with answers), a division
        # (checked), a finding with its evidence, and for a shortcoming an action in the draft.
        commune = _unit(Unit.Kind.COMMUNE, f"PGC{i:04d}", f"Ủy ban nhân dân xã Gamma {i}", f"Xã Gamma {i}", self.unit_c)
        division = _unit(Unit.Kind.DIVISION, f"PGV{i:04d}", f"Phòng Gamma {i}", f"Phòng Gamma {i}", self.unit_c)
        self.visit_c.checked_divisions.add(division)
        ChecklistAnswer.objects.create(
            inspection=self.visit_c,
            desk_unit=commune,
            item=self.item,
            answer=ChecklistAnswer.Answer.PARTLY if i % 2 else ChecklistAnswer.Answer.NO,
            answered_by=self.inspector,
        )
        finding = self._finding(self.visit_c, kind, self.areas[i % 7], self.inspector, self.criteria[i % 2])
        self._evidence(finding, f"cc{i}")
        if kind == Finding.Kind.SHORTCOMING:
            self._action(self.conclusion_c, finding)

        # Unit S inspects itself: a new commune, inspected, a finding and a file version.
        commune_s = _unit(
            Unit.Kind.COMMUNE, f"PSC{i:04d}", f"Ủy ban nhân dân xã Sigma {i}", f"Xã Sigma {i}", self.unit_s
        )
        SelfInspectedUnit.objects.create(
            self_inspection=self.self_inspection, unit=commune_s, inspected_on=D(2022, 6, 2), recorded_by=self.user_s
        )
        Finding.objects.create(
            plan=self.plan,
            unit=self.unit_s,
            area=self.areas[i % 7],
            criterion=self.criteria[i % 2],
            kind=Finding.Kind.STRENGTH,
            text="Đã công khai thủ tục.",
            created_by=self.user_s,
        )
        kind = Submission.Kind.SELF_INSPECTION_PLAN if i % 2 else Submission.Kind.SELF_INSPECTION_REPORT
        self._submission(self.unit_s, kind, f"s{i}", by=self.user_s)


def pytest_configure(config):
    _install_zeal()


def _install_zeal() -> None:
    """django-zeal's patches, installed once when this folder's tests are collected (its
    AppConfig.ready would do it if it were in INSTALLED_APPS; the app's settings stay free of it).
    They act only inside zeal_context(), which the query-count test opens around each request."""
    import zeal.patch
    from django.db.models.fields.related_descriptors import ReverseManyToOneDescriptor
    from zeal.constants import ALL_APPS, initialize_app_registry

    if apps.is_installed("zeal") or getattr(zeal.patch, "_cchc_installed", False):
        return
    if not ALL_APPS:
        initialize_app_registry()
    zeal.patch.patch()
    zeal.patch._cchc_installed = True
    # A relation's manager class is made once and cached on its descriptor: one made before the
    # patch would escape it (and its N+1s with it). Forget them; they are made again, patched.
    for model in apps.get_models(include_auto_created=True):
        for attribute in vars(model).values():
            if isinstance(attribute, ReverseManyToOneDescriptor):  # many-to-many ones too
                vars(attribute).pop("related_manager_cls", None)


@pytest.fixture
def zeal(settings):
    settings.ZEAL_RAISE = True
    settings.ZEAL_NPLUSONE_THRESHOLD = 2  # the same lazy load twice from one line of code


@pytest.fixture
def _fast_passwords(settings):
    # Requested before the personas: the production hasher costs ~0.3 s a user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(_fast_passwords, settings, tmp_path, coordinator, leader, inspector, unit_a, user_a):
    settings.MEDIA_ROOT = tmp_path
    return World(coordinator=coordinator, leader=leader, inspector=inspector, unit_a=unit_a, user_a=user_a)
