"""The provincial summary report as PDF, Excel and Word: for whoever reads the plan."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from inspections.access import get_plan_for
from reports.summary import summary_data
from reports.summary_docs import summary_charts, summary_docx, summary_pdf, summary_xlsx

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _attachment(content: bytes, plan, extension: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[extension])
    filename = f"bao-cao-ket-qua-kiem-tra-cchc-{plan.year}.{extension}"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def summary_report_pdf(request, plan_pk):
    plan = get_plan_for(request.user, plan_pk)
    data = summary_data(plan)
    return _attachment(summary_pdf(data, summary_charts(data)), plan, "pdf")


@require_GET
def summary_report_xlsx(request, plan_pk):
    plan = get_plan_for(request.user, plan_pk)
    return _attachment(summary_xlsx(summary_data(plan)), plan, "xlsx")


@require_GET
def summary_report_docx(request, plan_pk):
    plan = get_plan_for(request.user, plan_pk)
    return _attachment(summary_docx(summary_data(plan)), plan, "docx")
