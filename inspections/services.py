"""Writes that touch several rows, send mail or write files: plans, teams, the schedule, notices."""

import datetime
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from inspections.models import (
    AppendixFigure,
    AppendixRule,
    AppendixValue,
    ChecklistAnswer,
    ChecklistItem,
    Conclusion,
    ConclusionArea,
    ConclusionRevision,
    ContentArea,
    Criterion,
    EvidenceFile,
    Finding,
    Inspection,
    InspectionPlan,
    InspectionTeam,
    PaperCopyReceipt,
    RemediationAction,
    RemediationReport,
    RemediationReview,
    ReminderSent,
    Reschedule,
    ScheduleNotice,
    SelfInspectedUnit,
    SelfInspection,
    Submission,
    TeamMember,
    shift_year,
)
from units.models import Unit

CRITERIA_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "criteria_cchc.json"
PLAN_DATE_FIELDS = ["issue_date", "window_start", "window_end", "remediation_deadline", "self_inspection_deadline"]
PLAN_COPIED_FIELDS = [
    "symbol",
    "issuing_body",
    "place",
    "report_lead_days",
    "paper_copies_required",
    "min_remediation_days",
    "district_min_ratio",
]


# --- Plans -----------------------------------------------------------------------------------


def plan_seed_areas(*, plan: InspectionPlan, path: Path = CRITERIA_FIXTURE) -> None:
    """Give a new plan the seven content areas of seed §II with the standard criteria."""
    data = json.loads(Path(path).read_text("utf-8"))
    for area_data in data["areas"]:
        area = ContentArea.objects.create(plan=plan, number=area_data["number"], title=area_data["title"])
        Criterion.objects.bulk_create(
            Criterion(area=area, order=i, text=text) for i, text in enumerate(area_data["criteria"], start=1)
        )


@transaction.atomic
def plan_create(*, plan: InspectionPlan) -> InspectionPlan:
    """Save a new (unsaved) plan as a draft, with its seven areas and their criteria."""
    plan.status = InspectionPlan.Status.DRAFT
    plan.save()
    plan_seed_areas(plan=plan)
    plan_seed_figures(plan=plan)
    plan_seed_checklist(plan=plan)
    InspectionTeam.objects.create(plan=plan)
    return plan


@transaction.atomic
def plan_copy_to_next_year(*, plan: InspectionPlan) -> InspectionPlan:
    """A draft for the next year: every date one year on, the areas and criteria copied, no schedule,
    no team members and no choice of units. The old plan is not changed."""
    year = plan.year + 1
    if InspectionPlan.objects.filter(year=year).exists():
        raise ValidationError(_("Đã có kế hoạch năm %(year)s.") % {"year": year})
    new = InspectionPlan(
        year=year,
        number="",
        title=plan.title.replace(str(plan.year), str(year)),
        status=InspectionPlan.Status.DRAFT,
        copied_from=plan,
        **{field: getattr(plan, field) for field in PLAN_COPIED_FIELDS},
        **{field: shift_year(getattr(plan, field)) for field in PLAN_DATE_FIELDS},
    )
    new.issue_date = None  # a new plan is issued on its own date
    new.full_clean()
    new.save()
    for area in plan.areas.prefetch_related("criteria"):
        new_area = ContentArea.objects.create(plan=new, number=area.number, title=area.title)
        Criterion.objects.bulk_create(
            Criterion(area=new_area, order=c.order, text=c.text, is_active=c.is_active) for c in area.criteria.all()
        )
    AppendixFigure.objects.bulk_create(
        AppendixFigure(plan=new, order=f.order, code=f.code, group=f.group, label=f.label) for f in plan.figures.all()
    )
    AppendixRule.objects.bulk_create(
        AppendixRule(plan=new, parts=r.parts, total=r.total) for r in plan.figure_rules.all()
    )
    ChecklistItem.objects.bulk_create(
        ChecklistItem(plan=new, order=i.order, text=i.text) for i in plan.checklist_items.all()
    )
    InspectionTeam.objects.create(plan=new)
    return new


ALLOWED_STATUS_CHANGES = {
    InspectionPlan.Status.DRAFT: {InspectionPlan.Status.ACTIVE},
    InspectionPlan.Status.ACTIVE: {InspectionPlan.Status.CLOSED},
    InspectionPlan.Status.CLOSED: set(),
}


@transaction.atomic
def plan_set_status(*, plan: InspectionPlan, status: str) -> None:
    """draft → active → closed. A plan starts only with its team lead named; a closed plan is read-only."""
    if status not in ALLOWED_STATUS_CHANGES[plan.status]:
        raise ValidationError(
            _("Không thể chuyển kế hoạch từ “%(old)s” sang “%(new)s”.")
            % {"old": plan.get_status_display(), "new": InspectionPlan.Status(status).label}
        )
    if status == InspectionPlan.Status.ACTIVE:
        leads = TeamMember.objects.filter(team__plan=plan, role=TeamMember.Role.LEAD).count()
        if leads != 1:
            raise ValidationError(_("Đoàn Kiểm tra phải có đúng một Trưởng đoàn trước khi thực hiện kế hoạch."))
        if not plan.areas.exists():
            raise ValidationError(_("Kế hoạch chưa có nội dung kiểm tra."))
    plan.status = status
    plan.save(update_fields=["status", "updated_at"])


@transaction.atomic
def plan_set_direct_units(*, plan: InspectionPlan, units) -> None:
    """Choose the units inspected directly; the rest self-inspect (derived)."""
    chosen = {unit.pk for unit in units}
    scheduled = plan.inspections.exclude(unit_id__in=chosen).select_related("unit")
    if scheduled:
        names = ", ".join(str(i.unit) for i in scheduled)
        raise ValidationError(_("Không thể bỏ đơn vị đã có lịch kiểm tra: %(names)s.") % {"names": names})
    plan.directly_inspected_units.set(chosen)


def criterion_delete(*, criterion: Criterion) -> None:
    """Delete a criterion no finding uses; one in use may only be retired."""
    if criterion.is_used:
        raise ValidationError(_("Tiêu chí đã được dùng trong kết quả kiểm tra: chỉ có thể ngừng dùng, không thể xóa."))
    criterion.delete()


def team_member_delete(*, member: TeamMember) -> None:
    if member.inspections.exists():
        raise ValidationError(
            _("%(name)s đã được phân công đi kiểm tra: hãy bỏ khỏi các buổi kiểm tra trước.") % {"name": member.name}
        )
    member.delete()


# --- The schedule ----------------------------------------------------------------------------


def check_schedule(
    *,
    plan: InspectionPlan,
    unit: Unit,
    date: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
    members,
    exclude: Inspection | None = None,
) -> None:
    """The refusals of scheduling (issue rules): raises ValidationError keyed by form field."""
    errors: dict[str, list[str]] = {}
    if plan.is_read_only:
        raise ValidationError(_("Kế hoạch đã kết thúc: không thể thay đổi lịch kiểm tra."))
    if not (plan.window_start <= date <= plan.window_end):
        errors.setdefault("date", []).append(
            _("Ngày kiểm tra phải trong thời gian kiểm tra của kế hoạch: từ %(start)s đến %(end)s.")
            % {"start": f"{plan.window_start:%d/%m/%Y}", "end": f"{plan.window_end:%d/%m/%Y}"}
        )
    if end_time <= start_time:
        errors.setdefault("end_time", []).append(_("Giờ kết thúc phải sau giờ bắt đầu."))
    if not plan.directly_inspected_units.filter(pk=unit.pk).exists():
        errors.setdefault("unit", []).append(_("Đơn vị này không thuộc danh sách kiểm tra trực tiếp của kế hoạch."))
    others = plan.inspections.filter(unit=unit)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if others.exists():
        errors.setdefault("unit", []).append(
            _("%(unit)s đã có lịch kiểm tra trong kế hoạch này (ngày %(date)s).")
            % {"unit": unit, "date": f"{others.first().date:%d/%m/%Y}"}
        )
    members = list(members)
    if members and end_time > start_time:
        user_ids = [m.user_id for m in members if m.user_id]
        clashes = (
            Inspection.objects.filter(date=date, start_time__lt=end_time, end_time__gt=start_time)
            .exclude(status=Inspection.Status.CANCELLED)
            .filter(Q(members__in=members) | Q(members__user_id__in=user_ids))
            .select_related("unit")
            .distinct()
        )
        if exclude is not None:
            clashes = clashes.exclude(pk=exclude.pk)
        for clash in clashes:
            busy = [
                m.name
                for m in members
                if m in clash.members.all() or (m.user_id and m.user_id in {x.user_id for x in clash.members.all()})
            ]
            errors.setdefault("members", []).append(
                _("%(names)s đã có lịch kiểm tra %(unit)s cùng thời gian (%(start)s-%(end)s ngày %(date)s).")
                % {
                    "names": ", ".join(busy),
                    "unit": clash.unit,
                    "start": f"{clash.start_time:%H:%M}",
                    "end": f"{clash.end_time:%H:%M}",
                    "date": f"{clash.date:%d/%m/%Y}",
                }
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def inspection_schedule(
    *,
    plan: InspectionPlan,
    unit: Unit,
    date: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
    place: str,
    members,
    scheduled_on: datetime.date | None = None,
) -> Inspection:
    """Schedule a direct inspection. Refusals raise ValidationError; warnings are saved to be shown."""
    members = list(members)
    check_schedule(plan=plan, unit=unit, date=date, start_time=start_time, end_time=end_time, members=members)
    inspection = Inspection.objects.create(
        plan=plan,
        unit=unit,
        date=date,
        start_time=start_time,
        end_time=end_time,
        place=place,
        scheduled_on=scheduled_on or timezone.localdate(),
    )
    inspection.members.set(members)
    return inspection


@transaction.atomic
def inspection_update(*, inspection: Inspection, place: str, members, status: str) -> None:
    """Change the place, the members going or the status (the date changes only by rescheduling)."""
    members = list(members)
    check_schedule(
        plan=inspection.plan,
        unit=inspection.unit,
        date=inspection.date,
        start_time=inspection.start_time,
        end_time=inspection.end_time,
        members=members,
        exclude=inspection,
    )
    inspection.place = place
    inspection.status = status
    inspection.save(update_fields=["place", "status", "updated_at"])
    inspection.members.set(members)


@transaction.atomic
def inspection_reschedule(
    *,
    inspection: Inspection,
    date: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
    place: str,
    reason: str,
    user,
) -> Reschedule:
    """Move a visit, keeping the earlier date with who moved it and why."""
    if not reason.strip():
        raise ValidationError({"reason": _("Nhập lý do thay đổi lịch.")})
    check_schedule(
        plan=inspection.plan,
        unit=inspection.unit,
        date=date,
        start_time=start_time,
        end_time=end_time,
        members=inspection.members.all(),
        exclude=inspection,
    )
    change = Reschedule.objects.create(
        inspection=inspection,
        old_date=inspection.date,
        old_start_time=inspection.start_time,
        old_end_time=inspection.end_time,
        old_place=inspection.place,
        new_date=date,
        new_start_time=start_time,
        new_end_time=end_time,
        new_place=place,
        reason=reason.strip(),
        changed_by=user,
    )
    inspection.date, inspection.start_time, inspection.end_time, inspection.place = date, start_time, end_time, place
    inspection.scheduled_on = timezone.localdate()
    # A new date may bring new warnings: they must be looked at again.
    inspection.warnings_acknowledged_at = None
    inspection.warnings_acknowledged_by = None
    inspection.save()
    return change


def inspection_acknowledge_warnings(*, inspection: Inspection, user) -> None:
    inspection.warnings_acknowledged_at = timezone.now()
    inspection.warnings_acknowledged_by = user
    inspection.save(update_fields=["warnings_acknowledged_at", "warnings_acknowledged_by", "updated_at"])


# --- Notices ---------------------------------------------------------------------------------


def notice_recipients(inspection: Inspection) -> list[str]:
    """The unit's active users and the members going, by email address, without duplicates."""
    emails = list(inspection.unit.users.filter(is_active=True).exclude(email="").values_list("email", flat=True)) + [
        m.contact_email for m in inspection.members.select_related("user")
    ]
    return list(dict.fromkeys(e for e in emails if e))


@transaction.atomic
def notice_send(*, inspection: Inspection, user, reschedule: Reschedule | None = None) -> ScheduleNotice:
    """Make the schedule notice PDF, keep it as sent, and email it to the unit and the members going."""
    from inspections.calendar import inspections_ics
    from reports.pdf import schedule_notice_pdf

    pdf = schedule_notice_pdf(inspection, reschedule=reschedule)
    kind = ScheduleNotice.Kind.UPDATE if reschedule else ScheduleNotice.Kind.INITIAL
    recipients = notice_recipients(inspection)
    notice = ScheduleNotice(inspection=inspection, kind=kind, reschedule=reschedule, sent_by=user)
    notice.recipients = "\n".join(recipients)
    filename = f"thong-bao-lich-kiem-tra-{inspection.plan.year}-{inspection.unit.code}.pdf"
    notice.pdf.save(filename, ContentFile(pdf), save=False)
    notice.save()

    subject = _("%(kind)s CCHC năm %(year)s - %(unit)s") % {
        "kind": notice.get_kind_display(),
        "year": inspection.plan.year,
        "unit": inspection.unit.short_name,
    }
    lines = [
        _("Kính gửi: %(unit)s và các thành viên Đoàn Kiểm tra,") % {"unit": inspection.unit.name},
        "",
        _("Đoàn Kiểm tra CCHC thông báo lịch kiểm tra tại %(unit)s:") % {"unit": inspection.unit.name},
        _("- Thời gian: %(start)s-%(end)s ngày %(date)s") % _visit_when(inspection),
        _("- Địa điểm: %(place)s") % {"place": inspection.place},
        _("- Hạn gửi báo cáo: %(due)s (%(copies)s bộ bản giấy)")
        % {"due": f"{inspection.report_due_date:%d/%m/%Y}", "copies": inspection.plan.paper_copies_required},
    ]
    if reschedule:
        lines += [
            "",
            _("Thay đổi so với lịch trước: %(old)s → %(new)s. Lý do: %(reason)s")
            % {
                "old": f"{reschedule.old_start_time:%H:%M} {reschedule.old_date:%d/%m/%Y} ({reschedule.old_place})",
                "new": f"{reschedule.new_start_time:%H:%M} {reschedule.new_date:%d/%m/%Y} ({reschedule.new_place})",
                "reason": reschedule.reason,
            },
        ]
    lines += ["", _("Thông báo chi tiết đính kèm (PDF); lịch kèm theo có thể thêm vào ứng dụng lịch.")]
    if recipients:
        message = EmailMessage(subject=subject, body="\n".join(lines), to=recipients)
        message.attach(filename, pdf, "application/pdf")
        message.attach("lich-kiem-tra.ics", inspections_ics([inspection], name=subject), "text/calendar")
        message.send()
    return notice


def _visit_when(inspection: Inspection) -> dict:
    return {
        "start": f"{inspection.start_time:%H:%M}",
        "end": f"{inspection.end_time:%H:%M}",
        "date": f"{inspection.date:%d/%m/%Y}",
    }


# --- Demo data -------------------------------------------------------------------------------

PLAN_2022_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "plan_ha_nam_2022.json"


@transaction.atomic
def plan_load_fixture(*, path: Path = PLAN_2022_FIXTURE) -> InspectionPlan | None:
    """Create the plan of a fixture file with its areas, units, team and visits.

    Returns None when a plan of that year already exists: it is left exactly as it is.
    """
    from django.contrib.auth import get_user_model

    data = json.loads(Path(path).read_text("utf-8"))
    fields = dict(data["plan"])
    if InspectionPlan.objects.filter(year=fields["year"]).exists():
        return None
    for field in PLAN_DATE_FIELDS:
        fields[field] = datetime.date.fromisoformat(fields[field]) if fields[field] else None
    plan = InspectionPlan(**fields)
    plan.full_clean()
    plan.save()
    plan_seed_areas(plan=plan)
    plan_seed_figures(plan=plan)
    plan_seed_checklist(plan=plan)
    units = {
        u.code: u for u in Unit.objects.filter(code__in=data["direct_units"] + [m["agency"] for m in data["members"]])
    }
    plan.directly_inspected_units.set([units[code] for code in data["direct_units"]])
    team_data = data["team"]
    team = InspectionTeam.objects.create(
        plan=plan,
        decision_number=team_data["decision_number"],
        decision_date=datetime.date.fromisoformat(team_data["decision_date"]),
        note=team_data["note"],
    )
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=[m["username"] for m in data["members"]])
    }
    members = {}
    for row in data["members"]:
        user = users.get(row["username"]) if row["username"] else None
        members[row["key"]] = TeamMember.objects.create(
            team=team,
            user=user,
            # A member whose demo account is missing keeps a name, marked as demo data.
            full_name=row["full_name"] or ("" if user else row["username"]),
            position=row["position"],
            agency=units[row["agency"]],
            role=row["role"],
            is_demo=True,
        )
    scheduled_on = datetime.date.fromisoformat(data["scheduled_on"])
    visits = {}
    for row in data["visits"]:
        visits[row["unit"]] = inspection_schedule(
            plan=plan,
            unit=units[row["unit"]],
            date=datetime.date.fromisoformat(row["date"]),
            start_time=datetime.time.fromisoformat(row["start"]),
            end_time=datetime.time.fromisoformat(row["end"]),
            place=row["place"],
            members=[members[key] for key in row["members"]],
            scheduled_on=scheduled_on,
        )
    _load_demo_findings(plan=plan, data=data, visits=visits, members=members)
    return plan


def _load_demo_findings(*, plan, data, visits, members) -> None:
    """Findings and issued conclusions of the demo, recorded by the demo accounts on the team.
    Skipped when those accounts are missing (the visits still load)."""
    areas = {a.number: a for a in plan.areas.all()}
    for row in data.get("findings", []):
        member = members[row["member"]]
        if member.user is None:
            return
        finding_record(
            inspection=visits[row["visit"]],
            area=areas[row["area"]],
            criterion=None,
            kind=row["kind"],
            text=row["text"],
            user=member.user,
        )
    lead = next((m for m in members.values() if m.role == TeamMember.Role.LEAD), None)
    if lead is None or lead.user is None:
        return
    for row in data.get("conclusions", []):
        inspection = visits[row["visit"]]
        conclusion = conclusion_start(inspection=inspection, user=lead.user)
        conclusion_save(conclusion=conclusion, general_assessment=row["general_assessment"], areas={}, user=lead.user)
        actions = []
        if row.get("actions_from_shortcomings"):
            for finding in inspection.findings.filter(kind=Finding.Kind.SHORTCOMING).order_by("pk"):
                actions.append(action_add(conclusion=conclusion, finding=finding, text="", user=lead.user))
        conclusion_issue(conclusion=conclusion, user=lead.user)
        _load_demo_remediation(inspection=inspection, actions=actions, rows=row.get("remediation", []))


def _load_demo_remediation(*, inspection, actions, rows) -> None:
    """Remediation in mixed states: reported by the unit's demo account, reviewed by the coordinator's."""
    from django.contrib.auth import get_user_model

    from units.roles import Role

    users = get_user_model().objects.filter(is_active=True)
    unit_user = users.filter(unit=inspection.unit, groups__name=Role.UNIT_STAFF).first()
    coordinator = users.filter(groups__name=Role.COORDINATOR).first()
    if unit_user is None or coordinator is None:
        return
    for row in rows:
        action = actions[row["action"] - 1]
        remediation_report(action=action, text=row["report"], user=unit_user)
        if row["review"]:
            remediation_review(action=action, decision=row["review"], comment=row["comment"], user=coordinator)


# --- The unit portal -------------------------------------------------------------------------


def submission_due_date(*, plan: InspectionPlan, kind: str, inspection: Inspection | None) -> datetime.date | None:
    """The deadline in force now for a kind of file: kept on the row, so a later reschedule
    does not change whether an earlier file was on time."""
    if kind in (Submission.Kind.REPORT, Submission.Kind.APPENDIX) and inspection is not None:
        return inspection.report_due_date
    if kind == Submission.Kind.SELF_INSPECTION_REPORT:
        return plan.self_inspection_deadline
    return None


@transaction.atomic
def submission_create(
    *, plan: InspectionPlan, unit: Unit, kind: str, uploaded_file, user, inspection: Inspection | None = None
) -> Submission:
    """Store a new version of a unit's file. Lateness is recorded, never refused."""
    from inspections.uploads import check_upload

    if plan.is_read_only:
        raise ValidationError(_("Kế hoạch đã kết thúc: không nhận thêm tài liệu."))
    checked = check_upload(uploaded_file)
    submission = Submission(
        plan=plan,
        unit=unit,
        inspection=inspection,
        kind=kind,
        due_date=submission_due_date(plan=plan, kind=kind, inspection=inspection),
        uploaded_by=user,
        uploaded_at=timezone.now(),
    )
    submission.store(uploaded_file, checked)
    return submission


@transaction.atomic
def appendix_save(*, plan: InspectionPlan, unit: Unit, values: dict[str, int], user) -> int:
    """Save a complete, valid set of appendix figures for a unit (replacing its earlier values)."""
    if plan.is_read_only:
        raise ValidationError(_("Kế hoạch đã kết thúc: không thể sửa số liệu."))
    figures = {f.code: f for f in plan.figures.all()}
    saved = 0
    for code, value in values.items():
        AppendixValue.objects.update_or_create(
            unit=unit, figure=figures[code], defaults={"plan": plan, "value": value, "updated_by": user}
        )
        saved += 1
    return saved


def plan_seed_figures(*, plan: InspectionPlan, path: Path | None = None) -> None:
    """Give a plan the default appendix figures and their consistency rules."""
    path = path or Path(settings.BASE_DIR) / "fixtures" / "appendix_figures.json"
    data = json.loads(Path(path).read_text("utf-8"))
    AppendixFigure.objects.bulk_create(
        AppendixFigure(plan=plan, order=i, code=row["code"], group=row["group"], label=row["label"])
        for i, row in enumerate(data["figures"], start=1)
    )
    AppendixRule.objects.bulk_create(
        AppendixRule(plan=plan, parts=row["parts"], total=row["total"]) for row in data["rules"]
    )


def paper_copies_record(*, inspection: Inspection, count: int, received_on: datetime.date, user, note="") -> None:
    if inspection.plan.is_read_only:
        raise ValidationError(_("Kế hoạch đã kết thúc: không thể sửa."))
    PaperCopyReceipt.objects.create(
        inspection=inspection, count=count, received_on=received_on, note=note, recorded_by=user
    )


def self_inspection_get(*, plan: InspectionPlan, unit: Unit) -> SelfInspection:
    self_inspection, _created = SelfInspection.objects.get_or_create(plan=plan, unit=unit)
    return self_inspection


def subordinates_of(unit: Unit):
    """What a unit self-inspects: its divisions, and for a district also its communes."""
    return Unit.objects.filter(parent=unit, is_active=True).in_registry_order()


@transaction.atomic
def self_inspected_unit_add(
    *, self_inspection: SelfInspection, unit: Unit, inspected_on: datetime.date, user
) -> SelfInspectedUnit:
    if self_inspection.plan.is_read_only:
        raise ValidationError(_("Kế hoạch đã kết thúc: không thể sửa."))
    if unit.parent_id != self_inspection.unit_id:
        raise ValidationError({"unit": _("Chỉ chọn đơn vị trực thuộc của đơn vị mình.")})
    if inspected_on.year != self_inspection.plan.year:
        raise ValidationError(
            {"inspected_on": _("Ngày kiểm tra phải trong năm %(year)s.") % {"year": self_inspection.plan.year}}
        )
    if self_inspection.inspected.filter(unit=unit).exists():
        raise ValidationError({"unit": _("%(unit)s đã có trong danh sách.") % {"unit": unit}})
    return SelfInspectedUnit.objects.create(
        self_inspection=self_inspection, unit=unit, inspected_on=inspected_on, recorded_by=user
    )


def _check_area(plan_id: int, area: ContentArea, criterion) -> None:
    """A finding's area belongs to its plan, and its criterion (if any) to that area."""
    if area.plan_id != plan_id or (criterion is not None and criterion.area_id != area.pk):
        raise ValidationError(_("Nội dung hoặc tiêu chí không thuộc kế hoạch này."))


def self_inspection_finding_add(
    *, self_inspection: SelfInspection, area: ContentArea, criterion, kind: str, text: str, user
) -> Finding:
    if self_inspection.plan.is_read_only:
        raise ValidationError(_("Kế hoạch đã kết thúc: không thể sửa."))
    _check_area(self_inspection.plan_id, area, criterion)
    return Finding.objects.create(
        plan=self_inspection.plan,
        unit=self_inspection.unit,
        inspection=None,
        area=area,
        criterion=criterion,
        kind=kind,
        text=text.strip(),
        created_by=user,
    )


@dataclass
class Coverage:
    district: Unit
    inspected: int
    total: int
    minimum: int

    @property
    def ratio(self) -> float:
        return self.inspected / self.total if self.total else 0.0

    @property
    def percent(self) -> int:
        return round(self.ratio * 100)

    @property
    def below_minimum(self) -> bool:
        return self.percent < self.minimum


def district_coverages(plan: InspectionPlan, districts=None) -> list[Coverage]:
    """Each district's self-inspection coverage: inspected / all of its divisions and communes."""
    districts = districts if districts is not None else Unit.objects.filter(kind=Unit.Kind.DISTRICT, is_active=True)
    districts = districts.annotate(
        subordinate_count=Count("children", filter=Q(children__is_active=True), distinct=True)
    ).in_registry_order()
    inspected = dict(
        SelfInspectedUnit.objects.filter(self_inspection__plan=plan, unit__is_active=True)
        .values_list("self_inspection__unit_id")
        .annotate(n=Count("unit_id", distinct=True))
        .values_list("self_inspection__unit_id", "n")
    )
    return [
        Coverage(
            district=d, inspected=inspected.get(d.pk, 0), total=d.subordinate_count, minimum=plan.district_min_ratio
        )
        for d in districts
    ]


# --- Reminders -------------------------------------------------------------------------------


def _reminder_kind(today: datetime.date, deadline: datetime.date, days_before: int) -> str | None:
    """Which reminder is due today: from N days before, on the day, or once overdue.

    A day the daily job missed does not lose a reminder: "before" goes out on any day of the
    window before the deadline, "overdue" on any day after it.
    """
    if deadline - datetime.timedelta(days=days_before) <= today < deadline:
        return ReminderSent.Kind.BEFORE
    if today == deadline:
        return ReminderSent.Kind.DUE_DAY
    if today > deadline:
        return ReminderSent.Kind.OVERDUE
    return None


def reminders_send(*, today: datetime.date | None = None, days_before: int | None = None) -> int:
    """Email each unit that has not sent what is due: its pre-visit report, its self-inspection
    results, its remediation reports. Each kind of reminder goes at most once per unit and
    deadline. Returns emails sent."""
    today = today or timezone.localdate()
    days_before = settings.REMINDER_DAYS_BEFORE if days_before is None else days_before
    due: list[tuple[InspectionPlan, Unit, str, datetime.date]] = []
    active = InspectionPlan.objects.filter(status=InspectionPlan.Status.ACTIVE)
    reported = set(
        Submission.objects.filter(plan__in=active, kind=Submission.Kind.REPORT).values_list("plan_id", "unit_id")
    )
    visits = Inspection.objects.filter(plan__in=active, status=Inspection.Status.SCHEDULED).select_related(
        "plan", "unit"
    )
    for visit in visits:
        if (visit.plan_id, visit.unit_id) not in reported:
            due.append((visit.plan, visit.unit, ReminderSent.Subject.REPORT, visit.report_due_date))
    si_reported = set(
        Submission.objects.filter(plan__in=active, kind=Submission.Kind.SELF_INSPECTION_REPORT).values_list(
            "plan_id", "unit_id"
        )
    )
    for plan in active:
        for unit in plan.self_inspecting_units():
            if (plan.pk, unit.pk) not in si_reported:
                due.append((plan, unit, ReminderSent.Subject.SELF_INSPECTION, plan.self_inspection_deadline))
    open_actions = RemediationAction.objects.filter(
        conclusion__status=Conclusion.Status.ISSUED,
        conclusion__inspection__plan__in=active,
        status__in=[RemediationAction.Status.OPEN, RemediationAction.Status.RETURNED],
    ).select_related("unit", "conclusion__inspection__plan")
    remediation_due = {}
    for action in open_actions:
        # One reminder per unit and deadline, however many actions share it.
        key = (action.conclusion.inspection.plan_id, action.unit_id, action.deadline)
        remediation_due.setdefault(key, (action.conclusion.inspection.plan, action.unit))
    for (_plan_id, _unit_id, deadline), (plan, unit) in remediation_due.items():
        due.append((plan, unit, ReminderSent.Subject.REMEDIATION, deadline))
    sent = 0
    for plan, unit, subject, deadline in due:
        kind = _reminder_kind(today, deadline, days_before)
        if kind is None:
            continue
        if ReminderSent.objects.filter(unit=unit, plan=plan, subject=subject, kind=kind, deadline=deadline).exists():
            continue
        recipients = list(unit.users.filter(is_active=True).exclude(email="").values_list("email", flat=True))
        if not recipients:
            continue  # nobody to tell yet: try again tomorrow, once someone has an address
        _send_reminder(plan=plan, unit=unit, subject=subject, kind=kind, deadline=deadline, recipients=recipients)
        ReminderSent.objects.create(
            unit=unit, plan=plan, subject=subject, kind=kind, deadline=deadline, recipients="\n".join(recipients)
        )
        sent += 1
    return sent


def _send_reminder(*, plan, unit, subject, kind, deadline, recipients) -> None:
    what = ReminderSent.Subject(subject).label
    days_left = (deadline - timezone.localdate()).days
    if kind == ReminderSent.Kind.BEFORE:
        when = _("Hạn gửi là ngày %(date)s (còn %(days)s ngày).") % {"date": f"{deadline:%d/%m/%Y}", "days": days_left}
    elif kind == ReminderSent.Kind.DUE_DAY:
        when = _("Hôm nay (%(date)s) là hạn gửi.") % {"date": f"{deadline:%d/%m/%Y}"}
    else:
        when = _("Đã quá hạn gửi ngày %(date)s. Đơn vị vẫn có thể gửi; tài liệu sẽ được ghi nhận là gửi muộn.") % {
            "date": f"{deadline:%d/%m/%Y}"
        }
    body = "\n".join(
        [
            _("Kính gửi: %(unit)s,") % {"unit": unit.name},
            "",
            _("Sở Nội vụ nhắc đơn vị gửi %(what)s theo Kế hoạch kiểm tra CCHC năm %(year)s.")
            % {"what": what.lower(), "year": plan.year},
            when,
            "",
            _("Đơn vị gửi tài liệu trên Hệ thống kiểm tra CCHC."),
        ]
    )
    EmailMessage(
        subject=_("Nhắc gửi %(what)s - CCHC năm %(year)s") % {"what": what.lower(), "year": plan.year},
        body=body,
        to=recipients,
    ).send()


# --- What a unit has to do (its home page) -------------------------------------------------------


@dataclass
class DueItem:
    label: str
    deadline: datetime.date | None
    received: Submission | None = None
    extra: str = ""
    url: str = ""

    def days_left(self, today: datetime.date) -> int | None:
        return (self.deadline - today).days if self.deadline else None

    def is_late(self, today: datetime.date) -> bool:
        if self.received is not None:
            return self.received.is_late
        return self.deadline is not None and today > self.deadline


@dataclass
class PlanDuties:
    plan: InspectionPlan
    inspection: Inspection | None
    self_inspecting: bool
    items: list[DueItem]
    coverage: Coverage | None = None


def unit_duties(unit: Unit) -> list[PlanDuties]:
    """For each active plan: the unit's visit or self-inspection and every deadline with what arrived."""
    from django.urls import reverse

    result = []
    plans = InspectionPlan.objects.filter(status=InspectionPlan.Status.ACTIVE).prefetch_related(
        "directly_inspected_units"
    )
    first_of_kind = {}
    for submission in Submission.objects.filter(plan__in=plans, unit=unit).order_by("uploaded_at", "pk"):
        first_of_kind.setdefault((submission.plan_id, submission.kind), submission)
    for plan in plans:
        direct = unit in plan.directly_inspected_units.all()
        if direct:
            inspection = plan.inspections.filter(unit=unit).first()
            items = []
            if inspection is not None:
                reports_url = reverse("inspections:inspection_reports", args=[inspection.pk])
                copies = sum(r.count for r in inspection.paper_copies.all())
                items += [
                    DueItem(
                        _("Báo cáo theo Đề cương"),
                        inspection.report_due_date,
                        first_of_kind.get((plan.pk, Submission.Kind.REPORT)),
                        url=reports_url,
                    ),
                    DueItem(
                        _("Phụ lục số liệu"),
                        inspection.report_due_date,
                        first_of_kind.get((plan.pk, Submission.Kind.APPENDIX)),
                        url=reverse("inspections:inspection_appendix", args=[inspection.pk]),
                    ),
                    DueItem(
                        _("Bản giấy gửi Sở Nội vụ"),
                        inspection.report_due_date,
                        extra=_("Đã nhận %(n)s/%(required)s bộ")
                        % {"n": copies, "required": plan.paper_copies_required},
                    ),
                    DueItem(
                        _("Báo cáo kết quả khắc phục tồn tại, hạn chế"),
                        plan.remediation_deadline,
                        extra=_("Theo các yêu cầu trong kết luận kiểm tra"),
                    ),
                ]
            result.append(PlanDuties(plan=plan, inspection=inspection, self_inspecting=False, items=items))
        elif unit.kind in (Unit.Kind.DEPARTMENT, Unit.Kind.DISTRICT):
            page = reverse("inspections:self_inspection", args=[plan.pk, unit.pk])
            items = [
                DueItem(
                    _("Kế hoạch tự kiểm tra"),
                    None,
                    first_of_kind.get((plan.pk, Submission.Kind.SELF_INSPECTION_PLAN)),
                    url=page,
                ),
                DueItem(
                    _("Báo cáo kết quả tự kiểm tra"),
                    plan.self_inspection_deadline,
                    first_of_kind.get((plan.pk, Submission.Kind.SELF_INSPECTION_REPORT)),
                    url=page,
                ),
            ]
            coverage = None
            if unit.kind == Unit.Kind.DISTRICT:
                coverage = district_coverages(plan, Unit.objects.filter(pk=unit.pk))[0]
            result.append(PlanDuties(plan=plan, inspection=None, self_inspecting=True, items=items, coverage=coverage))
    return result


# --- The visit: findings, evidence, the one-stop desk checklist -------------------------------------

ONE_STOP_AREA_NUMBER = 3  # seed §II.3: administrative procedures and the one-stop mechanism


def _check_open(inspection: Inspection) -> None:
    """Findings and the checklist freeze once the conclusion is issued (and with a closed plan)."""
    if inspection.plan.is_read_only:
        raise ValidationError(_("Kế hoạch đã kết thúc: không thể sửa."))
    conclusion = Conclusion.objects.filter(inspection=inspection).first()
    if conclusion is not None and conclusion.is_issued:
        raise ValidationError(_("Kết luận đã ban hành: kết quả kiểm tra không thể thay đổi. Hãy mở lại kết luận."))


def is_member_going(user, inspection: Inspection) -> bool:
    return user.is_authenticated and inspection.members.filter(user=user).exists()


def is_team_lead(user, plan: InspectionPlan) -> bool:
    return (
        user.is_authenticated
        and TeamMember.objects.filter(team__plan=plan, role=TeamMember.Role.LEAD, user=user).exists()
    )


def evidence_add(*, uploaded_file, user, finding=None, remediation_report=None) -> EvidenceFile:
    """Store an evidence file under the same rules as self-reports (content-checked, app-named)."""
    from inspections.uploads import check_upload

    evidence = EvidenceFile(finding=finding, remediation_report=remediation_report, uploaded_by=user)
    evidence.store(uploaded_file, check_upload(uploaded_file))
    return evidence


class StaleEdit(ValidationError):
    """Someone saved the same thing since this form was opened: refused, nothing overwritten."""

    def __init__(self, message, *, current_version: int):
        super().__init__(message, code="stale")
        self.current_version = current_version


def _claim_version(model, pk: int, expected: int) -> bool:
    """Move the row from `expected` to the next version, atomically; False if it has moved on.

    A conditional UPDATE: on PostgreSQL a concurrent claimer waits for the winner's commit and
    then finds the version changed; on SQLite writers are serialised the same way."""
    return model.objects.filter(pk=pk, version=expected).update(version=expected + 1) == 1


def _stale(model, pk: int, submitted: dict[str, str], labels: dict[str, str]) -> StaleEdit:
    """The refusal, saying who saved meanwhile and what the saved values now are."""
    current = model.objects.get(pk=pk)
    last = current.history.order_by("-history_date").first()
    who = (last.history_user.get_full_name() or last.history_user.username) if last and last.history_user else "?"
    when = timezone.localtime(last.history_date).strftime("%d/%m/%Y %H:%M") if last else ""

    def shown(name):
        display = getattr(current, f"get_{name}_display", None)
        return str(display() if display else getattr(current, name))[:300]

    changed = [
        _("%(field)s hiện là: “%(value)s”") % {"field": labels[name], "value": shown(name)}
        for name, value in submitted.items()
        if str(getattr(current, name)) != str(value)
    ]
    message = _(
        "%(who)s đã lưu nội dung này lúc %(when)s, sau khi bạn mở biểu mẫu. Thay đổi của bạn chưa được lưu."
    ) % {
        "who": who,
        "when": when,
    }
    if changed:
        message += " " + "; ".join(changed) + "."
    message += " " + _("Nội dung bạn nhập vẫn còn trong biểu mẫu: xem lại rồi lưu lại nếu vẫn muốn thay đổi.")
    return StaleEdit(message, current_version=current.version)


def _check_files(files) -> None:
    """Check every file before any is stored: one bad file refuses them all and leaves no trace."""
    from inspections.uploads import check_upload

    for uploaded in files:
        check_upload(uploaded)


@transaction.atomic
def finding_record(
    *, inspection: Inspection, area: ContentArea, criterion, kind: str, text: str, user, files=()
) -> Finding:
    """A team member's finding on a visit, with its evidence files (all or nothing)."""
    _check_open(inspection)
    _check_area(inspection.plan_id, area, criterion)
    if not text.strip():
        raise ValidationError({"text": _("Nhập nội dung.")})
    _check_files(files)
    finding = Finding.objects.create(
        plan=inspection.plan,
        unit=inspection.unit,
        inspection=inspection,
        area=area,
        criterion=criterion,
        kind=kind,
        text=text.strip(),
        created_by=user,
    )
    for uploaded in files:
        evidence_add(uploaded_file=uploaded, user=user, finding=finding)
    return finding


@transaction.atomic
def finding_update(
    *, finding: Finding, area: ContentArea, criterion, kind: str, text: str, expected_version: int | None = None
) -> None:
    """Change a finding unless someone saved it since `expected_version` (default: as loaded)."""
    _check_open(finding.inspection)
    _check_area(finding.plan_id, area, criterion)
    expected = finding.version if expected_version is None else expected_version
    if not _claim_version(Finding, finding.pk, expected):
        raise _stale(
            Finding,
            finding.pk,
            {"text": text.strip(), "kind": kind},
            {"text": _("Nội dung ghi nhận"), "kind": _("Loại")},
        )
    finding.area, finding.criterion, finding.kind, finding.text = area, criterion, kind, text.strip()
    finding.version = expected + 1
    finding.save(update_fields=["area", "criterion", "kind", "text", "version"])


@transaction.atomic
def finding_delete(*, finding: Finding) -> None:
    _check_open(finding.inspection)
    if finding.remediation_actions.exists():
        raise ValidationError(_("Kết quả này đã có yêu cầu khắc phục: hãy xóa yêu cầu trước."))
    for evidence in finding.evidence.all():
        # The file goes only once the rows are gone for good.
        name, storage = evidence.file.name, evidence.file.storage
        transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
        evidence.delete()
    finding.delete()


@transaction.atomic
def checked_divisions_set(*, inspection: Inspection, units) -> None:
    _check_open(inspection)
    units = list(units)
    if any(u.parent_id != inspection.unit_id or u.kind != Unit.Kind.DIVISION for u in units):
        raise ValidationError(_("Chỉ chọn phòng, ban của đơn vị được kiểm tra."))
    inspection.checked_divisions.set(units)


def checklist_desks(inspection: Inspection):
    """The one-stop desks a district-level visit checks: the district's and its communes'."""
    if inspection.unit.kind != Unit.Kind.DISTRICT:
        return Unit.objects.none()
    return Unit.objects.filter(Q(pk=inspection.unit_id) | Q(parent_id=inspection.unit_id, kind=Unit.Kind.COMMUNE))


def plan_seed_checklist(*, plan: InspectionPlan, path: Path | None = None) -> None:
    path = path or Path(settings.BASE_DIR) / "fixtures" / "onestop_checklist.json"
    items = json.loads(Path(path).read_text("utf-8"))["items"]
    ChecklistItem.objects.bulk_create(
        ChecklistItem(plan=plan, order=i, text=text) for i, text in enumerate(items, start=1)
    )


@transaction.atomic
def checklist_answer(
    *, inspection: Inspection, desk_unit: Unit, item: ChecklistItem, answer: str, note: str, user
) -> ChecklistAnswer:
    _check_open(inspection)
    if answer not in ChecklistAnswer.Answer.values:
        raise ValidationError({"answer": _("Kết quả kiểm tra chỉ có thể là Có, Một phần hoặc Không.")})
    if item.plan_id != inspection.plan_id:
        raise ValidationError(_("Nội dung kiểm tra không thuộc kế hoạch này."))
    if not checklist_desks(inspection).filter(pk=desk_unit.pk).exists():
        raise ValidationError(_("Chỉ kiểm tra Bộ phận Một cửa của huyện được kiểm tra và các xã của huyện."))
    result, _created = ChecklistAnswer.objects.update_or_create(
        inspection=inspection,
        desk_unit=desk_unit,
        item=item,
        defaults={"answer": answer, "note": note.strip(), "answered_by": user},
    )
    return result


@transaction.atomic
def checklist_answer_to_shortcoming(*, answer: ChecklistAnswer, user) -> Finding:
    """A "no" becomes a shortcoming of area 3 in one click (once)."""
    _check_open(answer.inspection)
    if answer.answer != ChecklistAnswer.Answer.NO:
        raise ValidationError(_("Chỉ nội dung trả lời “Không” mới chuyển thành tồn tại, hạn chế."))
    if Finding.objects.filter(checklist_answer=answer).exists():
        raise ValidationError(_("Nội dung này đã được ghi thành tồn tại, hạn chế."))
    area = answer.inspection.plan.areas.get(number=ONE_STOP_AREA_NUMBER)
    text = _("Bộ phận Một cửa %(desk)s: %(item)s - chưa thực hiện.") % {
        "desk": answer.desk_unit.short_name,
        "item": answer.item.text,
    }
    if answer.note:
        text += f" {answer.note}"
    return Finding.objects.create(
        plan=answer.inspection.plan,
        unit=answer.inspection.unit,
        inspection=answer.inspection,
        area=area,
        kind=Finding.Kind.SHORTCOMING,
        text=text,
        checklist_answer=answer,
        created_by=user,
    )


# --- The conclusion --------------------------------------------------------------------------


def _summaries_from_findings(inspection: Inspection) -> dict[int, dict[str, str]]:
    summaries: dict[int, dict[str, list[str]]] = {}
    for finding in inspection.findings.order_by("pk"):
        key = "strengths" if finding.kind == Finding.Kind.STRENGTH else "shortcomings"
        summaries.setdefault(finding.area_id, {"strengths": [], "shortcomings": []})[key].append(f"- {finding.text}")
    return {area: {k: "\n".join(v) for k, v in parts.items()} for area, parts in summaries.items()}


@transaction.atomic
def conclusion_start(*, inspection: Inspection, user) -> Conclusion:
    """The lead's draft: one summary per content area, prefilled from the findings."""
    if not is_team_lead(user, inspection.plan):
        raise PermissionDenied
    conclusion, created = Conclusion.objects.get_or_create(inspection=inspection, defaults={"updated_by": user})
    if created:
        prefill = _summaries_from_findings(inspection)
        bulk_create_with_history(
            [
                ConclusionArea(conclusion=conclusion, area=area, **prefill.get(area.pk, {}))
                for area in inspection.plan.areas.all()
            ],
            ConclusionArea,
            default_user=user,
        )
    return conclusion


def conclusion_refill_area(*, conclusion: Conclusion, area_summary: ConclusionArea) -> None:
    """Prefill one area's summary again from the findings (the lead's choice: it overwrites)."""
    if conclusion.is_issued:
        raise ValidationError(_("Kết luận đã ban hành: hãy mở lại trước khi sửa."))
    prefill = _summaries_from_findings(conclusion.inspection).get(area_summary.area_id, {})
    area_summary.strengths = prefill.get("strengths", "")
    area_summary.shortcomings = prefill.get("shortcomings", "")
    area_summary.save(update_fields=["strengths", "shortcomings"])


@transaction.atomic
def conclusion_save(
    *, conclusion: Conclusion, general_assessment: str, areas: dict, user, expected_version: int | None = None
) -> None:
    """areas: {ConclusionArea pk: {"strengths", "shortcomings", "causes"}}. Refused if someone
    saved the conclusion since `expected_version` (default: as loaded)."""
    if not is_team_lead(user, conclusion.inspection.plan):
        raise PermissionDenied
    if conclusion.is_issued:
        raise ValidationError(_("Kết luận đã ban hành: hãy mở lại trước khi sửa."))
    expected = conclusion.version if expected_version is None else expected_version
    if not _claim_version(Conclusion, conclusion.pk, expected):
        raise _stale(
            Conclusion,
            conclusion.pk,
            {"general_assessment": general_assessment.strip()},
            {"general_assessment": _("Đánh giá chung")},
        )
    conclusion.general_assessment = general_assessment.strip()
    conclusion.updated_by = user
    conclusion.version = expected + 1
    conclusion.save(update_fields=["general_assessment", "updated_by", "updated_at", "version"])
    for summary in conclusion.areas.all():
        if summary.pk in areas:
            for field in ("strengths", "shortcomings", "causes"):
                setattr(summary, field, areas[summary.pk].get(field, "").strip())
            summary.save(update_fields=["strengths", "shortcomings", "causes"])


@transaction.atomic
def action_add(
    *, conclusion: Conclusion, text: str, user, finding: Finding | None = None, deadline: datetime.date | None = None
) -> RemediationAction:
    """A request to fix a shortcoming; the deadline defaults to the plan's remediation deadline."""
    if not is_team_lead(user, conclusion.inspection.plan):
        raise PermissionDenied
    if conclusion.is_issued:
        raise ValidationError(_("Kết luận đã ban hành: hãy mở lại trước khi sửa."))
    if finding is not None and (finding.inspection_id != conclusion.inspection_id or finding.kind != "shortcoming"):
        raise ValidationError(_("Chỉ tạo yêu cầu khắc phục từ tồn tại, hạn chế của buổi kiểm tra này."))
    text = (text or (finding.text if finding else "")).strip()
    if not text:
        raise ValidationError({"text": _("Nhập nội dung yêu cầu khắc phục.")})
    return RemediationAction.objects.create(
        conclusion=conclusion,
        unit=conclusion.inspection.unit,
        finding=finding,
        text=text,
        deadline=deadline or conclusion.inspection.plan.remediation_deadline,
    )


@transaction.atomic
def action_delete(*, action: RemediationAction, user) -> None:
    if not is_team_lead(user, action.conclusion.inspection.plan):
        raise PermissionDenied
    if action.conclusion.is_issued or action.reports.exists():
        raise ValidationError(_("Yêu cầu đã ban hành hoặc đã có báo cáo: không thể xóa."))
    action.delete()


def conclusion_snapshot(conclusion: Conclusion) -> dict:
    """The conclusion's text as issued, kept in the revision."""
    inspection = conclusion.inspection
    return {
        "unit": inspection.unit.name,
        "date": inspection.date.isoformat(),
        "general_assessment": conclusion.general_assessment,
        "areas": [
            {
                "number": s.area.number,
                "title": s.area.title,
                "strengths": s.strengths,
                "shortcomings": s.shortcomings,
                "causes": s.causes,
            }
            for s in conclusion.areas.select_related("area")
        ],
        "findings": [
            {"area": f.area.number, "kind": f.kind, "text": f.text}
            for f in inspection.findings.select_related("area").order_by("area__number", "pk")
        ],
        "actions": [
            {"text": a.text, "deadline": a.deadline.isoformat()} for a in conclusion.actions.order_by("deadline", "pk")
        ],
    }


@transaction.atomic
def conclusion_issue(*, conclusion: Conclusion, user) -> ConclusionRevision:
    """Lead only. Freezes the conclusion and the visit's findings; keeps the issued text."""
    if not is_team_lead(user, conclusion.inspection.plan):
        raise PermissionDenied
    if conclusion.is_issued:
        raise ValidationError(_("Kết luận đã được ban hành."))
    if conclusion.inspection.plan.is_read_only:
        raise ValidationError(_("Kế hoạch đã kết thúc: không thể sửa."))
    if not conclusion.general_assessment.strip():
        raise ValidationError({"general_assessment": _("Nhập đánh giá chung trước khi ban hành.")})
    number = conclusion.revisions.count() + 1
    revision = ConclusionRevision.objects.create(
        conclusion=conclusion, number=number, snapshot=conclusion_snapshot(conclusion), issued_by=user
    )
    conclusion.status = Conclusion.Status.ISSUED
    conclusion.updated_by = user
    conclusion.save(update_fields=["status", "updated_by", "updated_at"])
    inspection = conclusion.inspection
    if inspection.status == Inspection.Status.SCHEDULED:
        inspection.status = Inspection.Status.DONE
        inspection.save(update_fields=["status", "updated_at"])
    return revision


@transaction.atomic
def conclusion_reopen(*, conclusion: Conclusion, reason: str, user) -> None:
    """Lead only, with a reason that is recorded; the issued revision stays readable."""
    if not is_team_lead(user, conclusion.inspection.plan):
        raise PermissionDenied
    if not conclusion.is_issued:
        raise ValidationError(_("Kết luận chưa ban hành."))
    if not reason.strip():
        raise ValidationError({"reason": _("Nhập lý do mở lại kết luận.")})
    revision = conclusion.revisions.order_by("-number").first()
    revision.reopened_by, revision.reopened_at, revision.reopen_reason = user, timezone.now(), reason.strip()
    revision.save(update_fields=["reopened_by", "reopened_at", "reopen_reason"])
    conclusion.status = Conclusion.Status.DRAFT
    conclusion.updated_by = user
    conclusion.save(update_fields=["status", "updated_by", "updated_at"])


# --- Remediation -----------------------------------------------------------------------------


@transaction.atomic
def remediation_report(
    *, action: RemediationAction, text: str, user, files=(), expected_version: int | None = None
) -> RemediationReport:
    """The unit reports on an action (after the conclusion is issued); a returned one is reported again."""
    if not action.conclusion.is_issued:
        raise ValidationError(_("Kết luận chưa ban hành."))
    if action.status == RemediationAction.Status.VERIFIED:
        raise ValidationError(_("Yêu cầu này đã được xác nhận hoàn thành."))
    if action.status == RemediationAction.Status.REPORTED:
        raise ValidationError(
            _("Đã báo cáo, đang chờ Sở Nội vụ xem xét: chỉ báo cáo lại khi yêu cầu được trả lại để bổ sung.")
        )
    if not text.strip():
        raise ValidationError({"text": _("Nhập kết quả khắc phục.")})
    _check_files(files)
    _claim_action(action, expected_version)
    report = RemediationReport.objects.create(action=action, text=text.strip(), submitted_by=user)
    for uploaded in files:
        evidence_add(uploaded_file=uploaded, user=user, remediation_report=report)
    action.status = RemediationAction.Status.REPORTED
    action.save(update_fields=["status", "version"])
    return report


def _claim_action(action: RemediationAction, expected_version: int | None) -> None:
    expected = action.version if expected_version is None else expected_version
    if not _claim_version(RemediationAction, action.pk, expected):
        raise _stale(RemediationAction, action.pk, {"status": action.status}, {"status": _("Trạng thái")})
    action.version = expected + 1


@transaction.atomic
def remediation_review(
    *, action: RemediationAction, decision: str, comment: str, user, expected_version: int | None = None
) -> RemediationReview:
    """A coordinator verifies the latest report, or returns it with a comment the unit sees."""
    if action.status != RemediationAction.Status.REPORTED:
        raise ValidationError(_("Chỉ thẩm định yêu cầu đơn vị đã báo cáo."))
    if decision == RemediationReview.Decision.RETURNED and not comment.strip():
        raise ValidationError({"comment": _("Nhập lý do yêu cầu bổ sung để đơn vị biết cần làm gì.")})
    _claim_action(action, expected_version)
    review = RemediationReview.objects.create(
        action=action,
        report=action.reports.order_by("-submitted_at", "-pk").first(),
        decision=decision,
        comment=comment.strip(),
        reviewed_by=user,
    )
    action.status = (
        RemediationAction.Status.VERIFIED
        if decision == RemediationReview.Decision.VERIFIED
        else RemediationAction.Status.RETURNED
    )
    action.save(update_fields=["status", "version"])
    return review


def remediation_counts(actions) -> dict:
    """Counts per status, and overdue (derived), for a queryset of actions: two queries."""
    by_status = dict(actions.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    overdue = actions.exclude(status=RemediationAction.Status.VERIFIED).filter(deadline__lt=timezone.localdate())
    return {
        "by_status": [(label, by_status.get(value, 0), value) for value, label in RemediationAction.Status.choices],
        "total": sum(by_status.values()),
        "overdue": overdue.count(),
    }
