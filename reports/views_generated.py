"""The summary report made in the background: ask for it, watch its status, download it."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from inspections.access import get_plan_for, plans_for
from inspections.uploads import CONTENT_TYPES
from reports.models import GeneratedDocument
from reports.services import summary_request

REFRESH_SECONDS = 3


def _get_document_for(user, pk) -> GeneratedDocument:
    """A document is seen by whoever reads its plan; 404 for everyone else."""
    visible = GeneratedDocument.objects.filter(plan__in=plans_for(user)).select_related("plan")
    return get_object_or_404(visible, pk=pk)


@require_POST
def summary_request_view(request, plan_pk, kind):
    plan = get_plan_for(request.user, plan_pk)
    if kind not in GeneratedDocument.Kind.values:
        raise Http404
    document = summary_request(plan=plan, kind=kind, user=request.user)
    return redirect("reports:generated_document", document.pk)


@require_GET
def generated_document(request, pk):
    document = _get_document_for(request.user, pk)
    response = render(
        request,
        "reports/generated_document.html",
        {"document": document, "plan": document.plan, "refresh_seconds": REFRESH_SECONDS},
    )
    response["Cache-Control"] = "private, no-store"
    if document.is_pending:  # also said by the page's <meta http-equiv="refresh">
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


@require_GET
def generated_download(request, pk):
    document = _get_document_for(request.user, pk)
    if document.status != GeneratedDocument.Status.DONE or not document.file:
        raise Http404
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.filename,
        content_type=CONTENT_TYPES[document.kind],
    )
    response["Cache-Control"] = "private, no-store"
    return response
