"""The conclusion notice of an issued revision as PDF, Excel and Word downloads."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from inspections.access import get_inspection_for
from inspections.models import ConclusionRevision
from inspections.uploads import download_name
from reports import conclusion_docs

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _revision_for(user, inspection_pk, number) -> ConclusionRevision:
    """The conclusion_revision page's rule: the visit's readers (a unit's staff see only their own
    visit, and a revision exists only once issued); 404 for everyone else and for unknown numbers."""
    inspection = get_inspection_for(user, inspection_pk)
    return get_object_or_404(
        ConclusionRevision.objects.select_related(
            "conclusion__inspection__plan", "conclusion__inspection__unit", "issued_by"
        ),
        conclusion__inspection=inspection,
        number=number,
    )


def _attachment(data: bytes, content_type: str, context: dict, extension: str) -> HttpResponse:
    name = download_name(f"ket-luan-{context['year']}-{context['unit_code']}-lan-{context['number']}", extension)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def conclusion_pdf(request, inspection_pk, number):
    context = conclusion_docs.conclusion_context(_revision_for(request.user, inspection_pk, number))
    return _attachment(conclusion_docs.conclusion_pdf(context), PDF, context, "pdf")


@require_GET
def conclusion_xlsx(request, inspection_pk, number):
    revision = _revision_for(request.user, inspection_pk, number)
    context = conclusion_docs.conclusion_context(revision)
    return _attachment(
        conclusion_docs.conclusion_xlsx(context, revision.conclusion.actions.select_related("finding__area")),
        XLSX,
        context,
        "xlsx",
    )


@require_GET
def conclusion_docx(request, inspection_pk, number):
    context = conclusion_docs.conclusion_context(_revision_for(request.user, inspection_pk, number))
    return _attachment(conclusion_docs.conclusion_docx(context), DOCX, context, "docx")
