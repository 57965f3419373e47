"""The leadership dashboard: the summary's figures and charts for one plan, each linked to the list
behind it; and the recommendations of the provincial summary report."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from inspections.access import can_manage, get_plan_for, plans_for
from inspections.models import Inspection, InspectionPlan, RemediationAction
from reports import charts
from reports.forms import SummaryNoteForm
from reports.models import SummaryNote
from reports.summary import REPORT_STATUSES, data_version, summary_data
from units.roles import is_province_wide

# The summary documents: each button asks for one, made in the background (reports/views_generated.py).
SUMMARY_DOCUMENTS = [("pdf", "PDF"), ("docx", "Word"), ("xlsx", "Excel")]


def _url(name: str, *args, **query) -> str:
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query)}" if query else url


def _links(plan: InspectionPlan, area_numbers: list[int]) -> dict:
    """The list behind each figure of the dashboard."""
    overview = _url("inspections:plan_overview", plan.pk)
    remediation = {
        value: _url("inspections:remediation_list", plan=plan.pk, status=value)
        for value in RemediationAction.Status.values
    }
    remediation["overdue"] = _url("inspections:remediation_list", plan=plan.pk, overdue="on")
    remediation["total"] = _url("inspections:remediation_list", plan=plan.pk)
    visits = {value: _url("inspections:schedule", plan.pk, status=value) for value in Inspection.Status.values}
    visits["unscheduled"] = _url("inspections:plan_units", plan.pk)
    visits["total"] = _url("inspections:schedule", plan.pk)
    return {
        "visits": visits,
        "reports": dict.fromkeys(REPORT_STATUSES, overview),
        "self_reports": dict.fromkeys(REPORT_STATUSES, overview),
        "areas": dict.fromkeys(area_numbers, overview),
        "remediation": remediation,
        "overview": overview,
        "coverage": _url("inspections:plan_coverage", plan.pk),
        "remediation_plan": _url("inspections:remediation_plan", plan.pk),
    }


def _summary_documents(plan: InspectionPlan) -> list[tuple[str, str]]:
    return [(label, reverse("reports:summary_request", args=[plan.pk, kind])) for kind, label in SUMMARY_DOCUMENTS]


@require_GET
def dashboard_latest(request):
    """The newest active plan's dashboard, else the latest plan's; a page saying so when there is none."""
    if not is_province_wide(request.user):
        raise Http404
    plans = plans_for(request.user).order_by("-year")
    plan = plans.filter(status=InspectionPlan.Status.ACTIVE).first() or plans.first()
    if plan is None:
        return render(request, "reports/dashboard.html", {"plan": None})
    return redirect("reports:dashboard", plan_pk=plan.pk)


def _figures(plan: InspectionPlan) -> dict:
    """What the dashboard shows of summary_data(), as plain values (quick to pickle into the cache and
    out again: the whole summary, with a row per unit of the province, took 70 ms to unpickle at
    national scale), and that part of the page rendered, its charts without any response's nonce."""
    data = summary_data(plan)
    links = _links(plan, [area.number for area in data["areas"]])
    org, si, rem = data["organisation"], data["self_inspection"], data["remediation"]
    svgs = {
        "visits": charts.visits_chart(org["visits"], links["visits"]),
        "reports": charts.reports_chart(org["reports"], links["reports"]),
        "self_reports": charts.reports_chart(
            si["reports"], links["self_reports"], title=_("Báo cáo kết quả tự kiểm tra")
        ),
        "areas": charts.findings_by_area_chart(data["areas"], links["areas"]),
        "remediation": charts.remediation_chart(rem, links["remediation"]),
    }
    figures = {
        "computed_at": timezone.now(),
        "today": data["today"],
        "org": {
            "visits": org["visits"],
            "reports": org["reports"],
            "direct_count": org["direct_count"],
            "self_inspecting_count": org["self_inspecting_count"],
            "copies_required": org["copies_required"],
            "copies_short": [
                {
                    "inspection_pk": row.inspection.pk,
                    "short_name": row.unit.short_name,
                    "copies_received": row.copies_received,
                    "copies_required": row.copies_required,
                }
                for row in org["copies_short"]
            ],
        },
        "areas": [
            {
                "number": area.number,
                "title": area.title,
                "visit_strengths": area.visit_strengths,
                "visit_shortcomings": area.visit_shortcomings,
                "self_strengths": area.self_strengths,
                "self_shortcomings": area.self_shortcomings,
            }
            for area in data["areas"]
        ],
        "si": {
            "reports": si["reports"],
            "min_ratio": si["min_ratio"],
            "any_coverage": bool(si["coverages"]),
            "below_minimum": [
                {
                    # reversed here, once, not on every page view (hundreds of districts at national scale)
                    "url": reverse("inspections:self_inspection", args=[plan.pk, c.district.pk]),
                    "short_name": c.district.short_name,
                    "inspected": c.inspected,
                    "total": c.total,
                    "percent": c.percent,
                }
                for c in si["below_minimum"]
            ],
        },
        "rem": {
            "by_status": [(value, str(label), n) for value, label, n in rem["by_status"]],
            "overdue": rem["overdue"],
            "verified": rem["verified"],
            "total": rem["total"],
        },
        "recommendations": data["recommendations"],
    }
    # The figures' part of the page, charts included, rendered here once: it depends on the plan and
    # the language only (links, figures), never on the user or the request.
    figures["html"] = render_to_string(
        "reports/_dashboard_figures.html",
        {
            "links": links,
            "data": figures,
            "org": figures["org"],
            "si": figures["si"],
            "rem": figures["rem"],
            "remediation_rows": [
                (label, n, links["remediation"][value]) for value, label, n in figures["rem"]["by_status"]
            ],
            "charts": {key: mark_safe(svg) for key, svg in svgs.items()},
        },
    )
    return figures


def cached_figures(plan: InspectionPlan) -> dict:
    """_figures(plan) from Django's cache while the summary's data has not changed (its version is in
    the key, reports/summary.py) and for DASHBOARD_CACHE_SECONDS at most; per language, since the
    charts carry their labels, and per day, since overdue and missing are judged on it."""
    key = f"reports:dashboard:{plan.pk}:{get_language()}:{timezone.localdate()}:{data_version()}"
    figures = cache.get(key)
    if figures is None:
        figures = _figures(plan)
        cache.set(key, figures, timeout=settings.DASHBOARD_CACHE_SECONDS)
    return figures


@require_GET
def dashboard(request, plan_pk):
    plan = get_plan_for(request.user, plan_pk)  # access first: the cache holds figures, not permissions
    figures = cached_figures(plan)
    return render(
        request,
        "reports/dashboard.html",
        {
            "plan": plan,
            "data": figures,
            "org": figures["org"],
            "si": figures["si"],
            "rem": figures["rem"],
            # pygal escapes every text it draws; the charts carry no script (reports/charts.py). Their
            # <style> elements carry the Content-Security-Policy nonce of this response, added after the
            # cache. str(): django-csp's lazy nonce is falsy until read, and only a nonce that was read
            # goes into the header.
            "figures_html": mark_safe(charts.with_nonce(figures["html"], str(request.csp_nonce))),
            "documents": _summary_documents(plan),
            "can_edit_note": can_manage(request.user) and not plan.is_read_only,
        },
    )


@require_http_methods(["GET", "POST"])
def summary_note(request, plan_pk):
    """Coordinators write the recommendations of the summary report; the model keeps the history."""
    plan = get_plan_for(request.user, plan_pk, write=True)
    form = SummaryNoteForm(request.POST or None, instance=SummaryNote.objects.filter(plan=plan).first())
    if request.method == "POST" and form.is_valid():
        note = form.save(commit=False)
        note.plan, note.updated_by = plan, request.user
        note.save()
        messages.success(request, _("Đã lưu kiến nghị, đề xuất."))
        return redirect("reports:dashboard", plan_pk=plan.pk)
    return render(
        request,
        "reports/summary_note_form.html",
        {"plan": plan, "form": form},
        status=400 if request.method == "POST" else 200,
    )
