"""The figures of the provincial summary report (Báo cáo kết quả kiểm tra CCHC năm YYYY).

`summary_data(plan)` reads everything in a fixed number of SQL queries (9, whatever the number of
units, visits, files or findings) and returns plain dataclasses in a dict. The dashboard, its
charts and the summary documents (PDF, Excel, DOCX) are all built from it.

Shape of the returned dict (every list is in registry order: departments, then districts)::

    {
      "plan": InspectionPlan,
      "today": date,                      # the day overdue and "missing" were judged on
      "organisation": {
        "direct": [DirectUnitRow],        # units the plan inspects directly
        "direct_count": int,
        "visits": {                       # per visit status, plus direct units not yet scheduled
          "done": int, "scheduled": int, "cancelled": int, "unscheduled": int, "total": int,
        },
        "self_inspecting": [Unit],        # every other active department and district
        "self_inspecting_count": int,
        "reports": {"on_time", "late", "missing", "pending", "not_required": int},
        "copies_required": int,           # plan.paper_copies_required, per direct unit
        "copies_short": [DirectUnitRow],  # direct units with a visit and fewer copies than required
      },
      "areas": [AreaSummary],             # areas 1..7 of the plan
      "self_inspection": {
        "rows": [SelfInspectionRow],
        "reports": {"on_time", "late", "missing", "pending": int},
        "coverages": [Coverage],          # inspections.services.Coverage, self-inspecting districts
        "below_minimum": [Coverage],
        "min_ratio": int,                 # plan.district_min_ratio (%)
      },
      "remediation": {
        "rows": [RemediationRow],         # units with at least one action
        "by_status": [(value, label, n)], # RemediationAction.Status order
        "total": int, "overdue": int, "verified": int, "open": int,   # open = not yet verified
      },
      "recommendations": str,             # the plan's SummaryNote text, or ""
      "annex": [AnnexRow],                # one row per direct or self-inspecting unit
    }

Timeliness statuses (`Timeliness.status`):
    "on_time"       the first file arrived by its deadline (the deadline stored on the file);
    "late"          the first file arrived after it;
    "missing"       nothing yet, and the deadline has passed;
    "pending"       nothing yet, and the deadline is still ahead (or no visit date fixes it yet);
    "not_required"  a pre-visit report for a cancelled visit that never arrived.
"""

import datetime
import time
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.models import (
    ContentArea,
    Finding,
    Inspection,
    InspectionPlan,
    RemediationAction,
    Submission,
)
from inspections.services import Coverage, district_coverages
from units.models import Unit

TIMELINESS_LABELS = {
    "on_time": _("Đúng hạn"),
    "late": _("Muộn"),
    "missing": _("Chưa gửi (quá hạn)"),
    "pending": _("Chưa đến hạn"),
    "not_required": _("Không yêu cầu"),
}
REPORT_STATUSES = ["on_time", "late", "missing", "pending", "not_required"]
SELF_REPORT_STATUSES = ["on_time", "late", "missing", "pending"]


@dataclass
class Timeliness:
    """Whether the first file of a kind arrived, and when against its deadline."""

    status: str
    due_date: datetime.date | None
    submission: Submission | None = None

    @property
    def label(self) -> str:
        return str(TIMELINESS_LABELS[self.status])

    @property
    def received_at(self) -> datetime.datetime | None:
        return self.submission.uploaded_at if self.submission else None

    @property
    def lateness(self) -> datetime.timedelta | None:
        return self.submission.lateness if self.submission else None


@dataclass
class DirectUnitRow:
    unit: Unit
    inspection: Inspection | None  # None while the unit has no visit scheduled
    report: Timeliness  # the report sent before the visit
    copies_received: int
    copies_required: int

    @property
    def visit_date(self) -> datetime.date | None:
        return self.inspection.date if self.inspection else None

    @property
    def visit_status(self) -> str:
        """An Inspection.Status value, or "unscheduled"."""
        return self.inspection.status if self.inspection else "unscheduled"

    @property
    def visit_status_label(self) -> str:
        return str(self.inspection.get_status_display() if self.inspection else _("Chưa lên lịch"))

    @property
    def copies_short(self) -> bool:
        return self.inspection is not None and self.copies_received < self.copies_required


@dataclass
class AreaSummary:
    number: int
    title: str
    visit_strengths: int = 0
    visit_shortcomings: int = 0
    self_strengths: int = 0
    self_shortcomings: int = 0
    # (unit short name, text), visits and self-inspection apart, in registry order then as recorded
    shortcomings: list[tuple[str, str]] = field(default_factory=list)
    self_shortcoming_texts: list[tuple[str, str]] = field(default_factory=list)

    @property
    def strengths(self) -> int:
        return self.visit_strengths + self.self_strengths

    @property
    def shortcomings_total(self) -> int:
        return self.visit_shortcomings + self.self_shortcomings


@dataclass
class SelfInspectionRow:
    unit: Unit
    plan_sent: bool  # its own self-inspection plan (Kế hoạch tự kiểm tra) arrived
    report: Timeliness  # its results report against plan.self_inspection_deadline
    strengths: int
    shortcomings: int
    coverage: Coverage | None  # districts only

    @property
    def findings(self) -> int:
        return self.strengths + self.shortcomings


@dataclass
class RemediationRow:
    unit_id: int
    unit_name: str
    unit_short_name: str
    counts: dict[str, int]  # RemediationAction.Status value -> n (every status present)
    total: int
    overdue: int

    @property
    def verified(self) -> int:
        return self.counts[RemediationAction.Status.VERIFIED]

    @property
    def open(self) -> int:
        """Not yet verified (open, reported or returned)."""
        return self.total - self.verified


@dataclass
class AnnexRow:
    """Everything of one unit on one line."""

    unit: Unit
    direct: bool
    form_label: str  # "Kiểm tra trực tiếp" / "Tự kiểm tra"
    visit_date: datetime.date | None
    visit_status_label: str  # "" for self-inspecting units
    report: Timeliness | None  # direct units: the pre-visit report
    copies_received: int | None  # direct units with a visit
    copies_required: int | None
    self_report: Timeliness | None  # self-inspecting units: the results report
    coverage: Coverage | None  # self-inspecting districts
    shortcomings: int  # all of the unit's shortcomings in the plan (visit or self-inspection)
    actions_total: int
    actions_open: int  # not yet verified
    actions_verified: int
    actions_overdue: int


def _timeliness(submission: Submission | None, due: datetime.date | None, today: datetime.date) -> Timeliness:
    if submission is not None:
        return Timeliness("late" if submission.is_late else "on_time", submission.due_date or due, submission)
    if due is not None and today > due:
        return Timeliness("missing", due)
    return Timeliness("pending", due)


def summary_data(plan: InspectionPlan) -> dict:
    """The provincial summary's figures for `plan` (shape in the module docstring)."""
    today = timezone.localdate()
    direct_through = InspectionPlan.directly_inspected_units.through
    units = list(
        Unit.objects.filter(
            Q(pk__in=direct_through.objects.filter(inspectionplan_id=plan.pk).values("unit_id"))
            | Q(kind__in=[Unit.Kind.DEPARTMENT, Unit.Kind.DISTRICT], is_active=True)
        )
        .annotate(is_direct=Exists(direct_through.objects.filter(inspectionplan_id=plan.pk, unit_id=OuterRef("pk"))))
        .in_registry_order()
    )
    order = {unit.pk: i for i, unit in enumerate(units)}
    direct_units = [u for u in units if u.is_direct]
    self_units = [u for u in units if not u.is_direct]

    visits = {
        v.unit_id: v
        for v in Inspection.objects.filter(plan=plan)
        .annotate(copies=Sum("paper_copies__count"))
        .select_related("plan")
        .order_by()
    }
    first: dict[tuple[int, str], Submission] = {}
    kinds = [Submission.Kind.REPORT, Submission.Kind.SELF_INSPECTION_PLAN, Submission.Kind.SELF_INSPECTION_REPORT]
    for submission in (
        Submission.objects.filter(plan=plan, kind__in=kinds)
        .order_by("uploaded_at", "pk")
        .only("pk", "unit_id", "kind", "uploaded_at", "due_date")
    ):
        first.setdefault((submission.unit_id, submission.kind), submission)

    # --- Organisation -----------------------------------------------------------------------
    direct_rows = []
    for unit in direct_units:
        visit = visits.get(unit.pk)
        report = first.get((unit.pk, Submission.Kind.REPORT))
        timeliness = _timeliness(report, visit.report_due_date if visit else None, today)
        if visit is not None and visit.status == Inspection.Status.CANCELLED and report is None:
            timeliness = Timeliness("not_required", visit.report_due_date)
        direct_rows.append(
            DirectUnitRow(
                unit=unit,
                inspection=visit,
                report=timeliness,
                copies_received=(visit.copies or 0) if visit else 0,
                copies_required=plan.paper_copies_required,
            )
        )
    visit_counts = {"done": 0, "scheduled": 0, "cancelled": 0, "unscheduled": 0}
    for row in direct_rows:
        visit_counts[row.visit_status] += 1
    visit_counts["total"] = len(direct_rows)
    reports = dict.fromkeys(REPORT_STATUSES, 0)
    for row in direct_rows:
        reports[row.report.status] += 1

    # --- Areas ------------------------------------------------------------------------------
    areas = {
        a.pk: AreaSummary(number=a.number, title=a.title)
        for a in ContentArea.objects.filter(plan=plan).order_by("number")
    }
    unit_shortcomings: dict[int, int] = {}
    self_strengths: dict[int, int] = {}
    self_shortcomings: dict[int, int] = {}
    findings = Finding.objects.filter(plan=plan).order_by("pk")
    findings = findings.values_list("unit_id", "unit__short_name", "area_id", "kind", "inspection_id", "text")
    for unit_id, short_name, area_id, kind, inspection_id, text in sorted(
        findings, key=lambda f: order.get(f[0], len(order))
    ):
        area = areas.get(area_id)
        shortcoming = kind == Finding.Kind.SHORTCOMING
        if shortcoming:
            unit_shortcomings[unit_id] = unit_shortcomings.get(unit_id, 0) + 1
        if inspection_id is None:
            tally = self_shortcomings if shortcoming else self_strengths
            tally[unit_id] = tally.get(unit_id, 0) + 1
        if area is None:
            continue
        if inspection_id is None and shortcoming:
            area.self_shortcomings += 1
            area.self_shortcoming_texts.append((short_name, text))
        elif inspection_id is None:
            area.self_strengths += 1
        elif shortcoming:
            area.visit_shortcomings += 1
            area.shortcomings.append((short_name, text))
        else:
            area.visit_strengths += 1

    # --- Self-inspection --------------------------------------------------------------------
    coverages = district_coverages(
        plan,
        Unit.objects.filter(kind=Unit.Kind.DISTRICT, is_active=True).exclude(pk__in=[u.pk for u in direct_units]),
    )
    coverage_of = {c.district.pk: c for c in coverages}
    self_rows = [
        SelfInspectionRow(
            unit=unit,
            plan_sent=(unit.pk, Submission.Kind.SELF_INSPECTION_PLAN) in first,
            report=_timeliness(
                first.get((unit.pk, Submission.Kind.SELF_INSPECTION_REPORT)), plan.self_inspection_deadline, today
            ),
            strengths=self_strengths.get(unit.pk, 0),
            shortcomings=self_shortcomings.get(unit.pk, 0),
            coverage=coverage_of.get(unit.pk),
        )
        for unit in self_units
    ]
    self_reports = dict.fromkeys(SELF_REPORT_STATUSES, 0)
    for row in self_rows:
        self_reports[row.report.status] += 1

    # --- Remediation ------------------------------------------------------------------------
    statuses = RemediationAction.Status
    per_status = {f"n_{value}": Count("pk", filter=Q(status=value)) for value in statuses.values}
    grouped = (
        RemediationAction.objects.filter(conclusion__inspection__plan=plan)
        .order_by()
        .values("unit_id", "unit__name", "unit__short_name")
        .annotate(
            total=Count("pk"),
            overdue=Count("pk", filter=Q(deadline__lt=today) & ~Q(status=statuses.VERIFIED)),
            **per_status,
        )
    )
    remediation_rows = sorted(
        (
            RemediationRow(
                unit_id=row["unit_id"],
                unit_name=row["unit__name"],
                unit_short_name=row["unit__short_name"],
                counts={value: row[f"n_{value}"] for value in statuses.values},
                total=row["total"],
                overdue=row["overdue"],
            )
            for row in grouped
        ),
        key=lambda r: (order.get(r.unit_id, len(order)), r.unit_short_name),
    )
    by_unit = {r.unit_id: r for r in remediation_rows}
    status_totals = {value: sum(r.counts[value] for r in remediation_rows) for value in statuses.values}
    total_actions = sum(r.total for r in remediation_rows)
    remediation = {
        "rows": remediation_rows,
        "by_status": [(value, label, status_totals[value]) for value, label in statuses.choices],
        "total": total_actions,
        "overdue": sum(r.overdue for r in remediation_rows),
        "verified": status_totals[statuses.VERIFIED],
        "open": total_actions - status_totals[statuses.VERIFIED],
    }

    # --- Recommendations ----------------------------------------------------------------------
    from reports.models import SummaryNote

    note = SummaryNote.objects.filter(plan=plan).values_list("recommendations", flat=True).first()

    # --- Annex --------------------------------------------------------------------------------
    direct_of = {r.unit.pk: r for r in direct_rows}
    self_of = {r.unit.pk: r for r in self_rows}
    annex = []
    for unit in units:
        actions = by_unit.get(unit.pk)
        direct_row, self_row = direct_of.get(unit.pk), self_of.get(unit.pk)
        annex.append(
            AnnexRow(
                unit=unit,
                direct=direct_row is not None,
                form_label=str(_("Kiểm tra trực tiếp") if direct_row else _("Tự kiểm tra")),
                visit_date=direct_row.visit_date if direct_row else None,
                visit_status_label=direct_row.visit_status_label if direct_row else "",
                report=direct_row.report if direct_row else None,
                copies_received=direct_row.copies_received if direct_row and direct_row.inspection else None,
                copies_required=plan.paper_copies_required if direct_row and direct_row.inspection else None,
                self_report=self_row.report if self_row else None,
                coverage=self_row.coverage if self_row else None,
                shortcomings=unit_shortcomings.get(unit.pk, 0),
                actions_total=actions.total if actions else 0,
                actions_open=actions.open if actions else 0,
                actions_verified=actions.verified if actions else 0,
                actions_overdue=actions.overdue if actions else 0,
            )
        )

    return {
        "plan": plan,
        "today": today,
        "organisation": {
            "direct": direct_rows,
            "direct_count": len(direct_rows),
            "visits": visit_counts,
            "self_inspecting": self_units,
            "self_inspecting_count": len(self_units),
            "reports": reports,
            "copies_required": plan.paper_copies_required,
            "copies_short": [r for r in direct_rows if r.copies_short],
        },
        "areas": list(areas.values()),
        "self_inspection": {
            "rows": self_rows,
            "reports": self_reports,
            "coverages": coverages,
            "below_minimum": [c for c in coverages if c.below_minimum],
            "min_ratio": plan.district_min_ratio,
        },
        "remediation": remediation,
        "recommendations": note or "",
        "annex": annex,
    }


# --- Cache invalidation -----------------------------------------------------------------------
# Pages that keep figures computed from summary_data() in Django's cache (the dashboard) put
# data_version() in their cache key. Every save or delete of a row the summary reads bumps it
# (reports/apps.py connects bump_data_version to their signals), so the next request computes
# afresh. Bulk updates send no signal: DASHBOARD_CACHE_SECONDS bounds how long they go unseen, and
# how long another process's per-process cache (LocMemCache) may lag behind.
DATA_VERSION_KEY = "reports:summary:data-version"


def data_version() -> int:
    version = cache.get(DATA_VERSION_KEY)
    if version is None:
        # A new value, never one an older entry may still carry (the counter may have been evicted).
        cache.add(DATA_VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(DATA_VERSION_KEY, 0)
    return version


def bump_data_version(**kwargs) -> None:
    """Signal receiver: the summary's data changed. Bumped at once and again after the commit, so a
    request that computes between the two cannot keep the uncommitted state's figures."""
    _bump()
    transaction.on_commit(_bump, robust=True)


def _bump() -> None:
    try:
        cache.incr(DATA_VERSION_KEY)
    except ValueError:  # not in the cache (never set, or evicted)
        cache.add(DATA_VERSION_KEY, time.time_ns(), timeout=None)
