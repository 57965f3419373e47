"""Calendars of visits: ICS feeds for calendar apps and the month grid of the schedule page."""

import calendar
import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

TZ = ZoneInfo(settings.TIME_ZONE)


def inspections_ics(inspections, *, name: str) -> bytes:
    """An iCalendar file with one event per visit (times in Asia/Ho_Chi_Minh)."""
    cal = Calendar()
    cal.add("prodid", "-//cchc-inspection//vi")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for inspection in inspections:
        event = Event()
        event.add("uid", f"inspection-{inspection.pk}@cchc-inspection")
        event.add("dtstamp", timezone.now())
        event.add("dtstart", datetime.datetime.combine(inspection.date, inspection.start_time, TZ))
        event.add("dtend", datetime.datetime.combine(inspection.date, inspection.end_time, TZ))
        event.add("summary", f"Kiểm tra CCHC: {inspection.unit.name}")
        event.add("location", inspection.place)
        members = ", ".join(m.name for m in inspection.members.all())
        event.add(
            "description",
            f"Kế hoạch kiểm tra CCHC năm {inspection.plan.year}. "
            f"Hạn gửi báo cáo: {inspection.report_due_date:%d/%m/%Y}. Thành viên đoàn: {members}.",
        )
        event.add("status", "CANCELLED" if inspection.status == "cancelled" else "CONFIRMED")
        cal.add_component(event)
    # RFC 5545 wants a VTIMEZONE for every TZID used; strict clients misplace times without it.
    cal.add_missing_timezones()
    return cal.to_ical()


def month_weeks(year: int, month: int, inspections) -> list[list[dict]]:
    """Weeks (Monday first) of day cells for the month: {"date", "in_month", "inspections"}."""
    by_day: dict[datetime.date, list] = {}
    for inspection in inspections:
        by_day.setdefault(inspection.date, []).append(inspection)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    return [
        [{"date": day, "in_month": day.month == month, "inspections": by_day.get(day, [])} for day in week]
        for week in weeks
    ]
