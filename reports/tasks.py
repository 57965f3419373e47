"""Documents made in the background by `manage.py db_worker` (django-tasks). Arguments are primary keys."""

import logging

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from reports import summary_docs
from reports.models import GeneratedDocument
from reports.summary import summary_data

logger = logging.getLogger(__name__)


def _summary_bytes(document: GeneratedDocument) -> bytes:
    data = summary_data(document.plan)
    if document.kind == GeneratedDocument.Kind.PDF:
        return summary_docs.summary_pdf(data, summary_docs.summary_charts(data))
    if document.kind == GeneratedDocument.Kind.XLSX:
        return summary_docs.summary_xlsx(data)
    return summary_docs.summary_docx(data)


@task()
def render_summary(document_id: int) -> None:
    """Make the provincial summary report of one GeneratedDocument. A failure is written on the row
    (the page shows it with a retry), never raised: the worker has nobody to tell."""
    document = GeneratedDocument.objects.select_related("plan").filter(pk=document_id).first()
    if document is None:  # deleted (with its plan) before the worker got to it
        return
    document.status = GeneratedDocument.Status.RUNNING
    document.save(update_fields=["status"])
    try:
        content = _summary_bytes(document)
        document.file.save(document.filename, ContentFile(content), save=False)
        document.status = GeneratedDocument.Status.DONE
        document.error = ""
        document.finished_at = timezone.now()
        document.save(update_fields=["file", "status", "error", "finished_at"])
    except Exception:
        logger.exception("Rendering generated document %s failed", document_id)
        document.status = GeneratedDocument.Status.FAILED
        document.error = _("Không tạo được báo cáo do lỗi hệ thống. Vui lòng thử lại; nếu vẫn lỗi, báo quản trị viên.")
        document.finished_at = timezone.now()
        document.save(update_fields=["status", "error", "finished_at"])
