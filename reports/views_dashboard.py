"""The leadership dashboard: the summary's figures and charts for one plan, each linked to the list
behind it; and the recommendations of the provincial summary report."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from inspections.access import can_manage, get_plan_for, plans_for
from inspections.models import Inspection, InspectionPlan, RemediationAction
from reports import charts
from reports.forms import SummaryNoteForm
from reports.models import SummaryNote
from reports.summary import REPORT_STATUSES, summary_data
from units.roles import is_province_wide

# The summary documents: each button asks for one, made in the background (reports/views_generated.py).
SUMMARY_DOCUMENTS = [("pdf", "PDF"), ("docx", "Word"), ("xlsx", "Excel")]


def _url(name: str, *args, **query) -> str:
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query)}" if query else url


def _links(plan: InspectionPlan, data: dict) -> dict:
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
        "areas": {area.number: overview for area in data["areas"]},
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


@require_GET
def dashboard(request, plan_pk):
    plan = get_plan_for(request.user, plan_pk)
    data = summary_data(plan)
    links = _links(plan, data)
    svgs = {
        "visits": charts.visits_chart(data["organisation"]["visits"], links["visits"]),
        "reports": charts.reports_chart(data["organisation"]["reports"], links["reports"]),
        "self_reports": charts.reports_chart(
            data["self_inspection"]["reports"], links["self_reports"], title=_("Báo cáo kết quả tự kiểm tra")
        ),
        "areas": charts.findings_by_area_chart(data["areas"], links["areas"]),
        "remediation": charts.remediation_chart(data["remediation"], links["remediation"]),
    }
    return render(
        request,
        "reports/dashboard.html",
        {
            "plan": plan,
            "data": data,
            "org": data["organisation"],
            "si": data["self_inspection"],
            "rem": data["remediation"],
            "remediation_rows": [
                (label, n, links["remediation"][value]) for value, label, n in data["remediation"]["by_status"]
            ],
            "links": links,
            # pygal escapes every text it draws; the charts carry no script (reports/charts.py).
            # Their <style> carries the Content-Security-Policy nonce of this response. str(): django-csp's
            # lazy nonce is falsy until read, and only a nonce that was read goes into the header.
            "charts": {key: mark_safe(charts.with_nonce(svg, str(request.csp_nonce))) for key, svg in svgs.items()},
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
