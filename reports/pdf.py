"""PDF documents: plain functions that take data and return bytes (views only wrap them)."""

import datetime
import re
import unicodedata
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML, URLFetcher

from inspections.models import TeamMember
from units.models import Unit

WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render a Django template to HTML, then to PDF with WeasyPrint."""
    # Documents are always Vietnamese, whatever language the user's session is in.
    with translation.override("vi"):
        html = render_to_string(template_name, context)
    # Only local files and data: URLs; fonts come from fontconfig, never from the network.
    fetcher = URLFetcher(allowed_protocols={"file", "data"})
    base_url = Path(settings.BASE_DIR).resolve().as_uri() + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()


def format_date(day: datetime.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def format_time(value: datetime.time) -> str:
    return f"{value:%H}h{value:%M}"


def format_time_range(start: datetime.time, end: datetime.time) -> str:
    return f"{format_time(start)}-{format_time(end)}"


def weekday_name(day: datetime.date) -> str:
    return WEEKDAYS[day.weekday()]


def place_date_line(place: str, day: datetime.date) -> str:
    """ "Hà Nam, ngày 05 tháng 7 năm 2022": Decree 30/2020 pads days below 10 and months 1 and 2."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def short_issuing_body(issuing_body: str) -> str:
    """ "ỦY BAN NHÂN DÂN TỈNH HÀ NAM" -> "UBND TỈNH HÀ NAM" (both spellings of Ủy/Uỷ)."""
    return re.sub(
        r"^\s*(ỦY|UỶ)\s+BAN\s+NHÂN\s+DÂN\b", "UBND", unicodedata.normalize("NFC", issuing_body).strip().upper()
    )


def _schedule(inspection, reschedule):
    """The visit as this notice states it: a reschedule row keeps the dates it announced."""
    if reschedule is not None:
        return reschedule.new_date, reschedule.new_start_time, reschedule.new_end_time, reschedule.new_place
    return inspection.date, inspection.start_time, inspection.end_time, inspection.place


def _visit(day, start, end, place) -> dict:
    return {
        "time": format_time_range(start, end),
        "weekday": weekday_name(day),
        "date": format_date(day),
        "place": place,
    }


def schedule_notice_pdf(inspection, *, reschedule=None, issued_on: datetime.date | None = None) -> bytes:
    """The schedule notice (Thông báo lịch kiểm tra) sent to the unit, or its update after a reschedule."""
    plan = inspection.plan
    unit = inspection.unit
    team = getattr(plan, "team", None)
    issued_on = issued_on or timezone.localdate()
    day, start, end, place = _schedule(inspection, reschedule)

    members = sorted(
        inspection.members.select_related("agency", "user"),
        key=lambda m: (TeamMember.ROLE_ORDER.index(m.role), m.pk),
    )
    lead = team.lead if team else None

    change = None
    if reschedule is not None:
        change = {
            "old": _visit(
                reschedule.old_date, reschedule.old_start_time, reschedule.old_end_time, reschedule.old_place
            ),
            "new": _visit(day, start, end, place),
            "reason": reschedule.reason.strip().rstrip("."),
        }

    context = {
        "issuing_body": short_issuing_body(plan.issuing_body),
        "place_date": place_date_line(plan.place, issued_on),
        "year": str(plan.year),
        "unit_name": unit.name,
        "is_local_government": unit.kind in (Unit.Kind.DISTRICT, Unit.Kind.COMMUNE),
        "plan_number_symbol": plan.number_symbol,
        "plan_issue_date": format_date(plan.issue_date),
        "decision_number": team.decision_number if team else "",
        "decision_date": format_date(team.decision_date) if team else "",
        "visit": _visit(day, start, end, place),
        "change": change,
        "members": [
            {
                "name": m.name,
                "position": m.position,
                "agency": m.agency.short_name,
                "role": m.get_role_display(),
            }
            for m in members
        ],
        "areas": [{"number": a.number, "title": a.title} for a in plan.areas.order_by("number")],
        "report_due_date": format_date(day - datetime.timedelta(days=plan.report_lead_days)),
        "report_lead_days": f"{plan.report_lead_days:02d}",
        "paper_copies": f"{plan.paper_copies_required:02d}",
        "lead_name": lead.name if lead else "",
    }
    return render_pdf("reports/pdf/schedule_notice.html", context)
