"""Writes that touch several rows, send mail or write files: plans, teams, the schedule, notices."""

import datetime
import json
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.models import (
    ContentArea,
    Criterion,
    Inspection,
    InspectionPlan,
    InspectionTeam,
    Reschedule,
    ScheduleNotice,
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
    for row in data["visits"]:
        inspection_schedule(
            plan=plan,
            unit=units[row["unit"]],
            date=datetime.date.fromisoformat(row["date"]),
            start_time=datetime.time.fromisoformat(row["start"]),
            end_time=datetime.time.fromisoformat(row["end"]),
            place=row["place"],
            members=[members[key] for key in row["members"]],
            scheduled_on=scheduled_on,
        )
    return plan
