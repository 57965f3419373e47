"""The inspection dossier download: the whole visit as one streamed ZIP."""

from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from inspections.access import can_read_dossier, get_inspection_for
from reports.dossier import dossier_archive, dossier_filename


@require_GET
def dossier(request, inspection_pk):
    inspection = get_inspection_for(request.user, inspection_pk)
    if not can_read_dossier(request.user, inspection):
        raise PermissionDenied
    archive = dossier_archive(inspection)
    response = StreamingHttpResponse(archive, content_type="application/zip")
    response["Content-Length"] = str(len(archive))
    response["Content-Disposition"] = content_disposition_header(True, dossier_filename(inspection))
    response["Cache-Control"] = "private, no-store"
    return response
