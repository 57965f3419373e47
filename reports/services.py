"""Writes of the reports app that have side effects."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from inspections.models import InspectionPlan
from reports.models import GeneratedDocument
from reports.tasks import render_summary

# A queued or running document older than this is taken as lost (worker stopped mid-way): not reused.
STALE_AFTER = timedelta(minutes=30)


def _enqueue(document_id: int) -> None:
    result = render_summary.enqueue(document_id)
    # One column only: the worker may already be writing the status.
    GeneratedDocument.objects.filter(pk=document_id).update(task_id=str(result.id))


@transaction.atomic
def summary_request(*, plan: InspectionPlan, kind: str, user) -> GeneratedDocument:
    """The plan's summary report in `kind`, made in the background: a document already queued or
    running for the same plan and format is returned instead of enqueuing the work twice."""
    pending = (
        GeneratedDocument.objects.select_for_update()
        .filter(
            plan=plan,
            kind=kind,
            status__in=[GeneratedDocument.Status.QUEUED, GeneratedDocument.Status.RUNNING],
            requested_at__gte=timezone.now() - STALE_AFTER,
        )
        .order_by("-requested_at")
        .first()
    )
    if pending is not None:
        return pending
    document = GeneratedDocument.objects.create(plan=plan, kind=kind, requested_by=user)
    # After commit: the worker must find the row.
    transaction.on_commit(lambda: _enqueue(document.pk))
    return document
