"""The visit page: findings with evidence, checked divisions, the one-stop desk checklist.

Readers: whoever may see the visit and its findings (a unit's staff only once the conclusion is
issued). Writers: the team members going on the visit, until the conclusion is issued.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inspections import services
from inspections.access import (
    can_manage,
    can_see_visit_findings,
    get_evidence_for,
    get_inspection_for,
    inspections_for,
)
from inspections.forms import keep_input_for_retry
from inspections.forms_visit import CheckedDivisionsForm, ChecklistDeskForm, FindingForm, FindingRecordForm
from inspections.models import AppendixValue, ChecklistAnswer, Conclusion, Finding, Inspection, Submission
from inspections.uploads import CONTENT_TYPES, download_name
from units.models import Unit

REPORT_KINDS = [Submission.Kind.REPORT, Submission.Kind.APPENDIX]


# --- Access ----------------------------------------------------------------------------------


def _visit_for_reader(user, pk) -> Inspection:
    inspection = get_inspection_for(user, pk)
    if not can_see_visit_findings(user, inspection):
        raise Http404
    return inspection


def _visit_for_writer(user, pk) -> Inspection:
    """404 for whoever may not see the visit; 403 for every reader who is not going on it."""
    inspection = get_inspection_for(user, pk)
    if not services.is_member_going(user, inspection):
        raise PermissionDenied
    return inspection


def _finding_for_writer(user, finding_pk) -> Finding:
    finding = get_object_or_404(
        Finding.objects.filter(inspection__in=inspections_for(user)).select_related(
            "inspection__plan", "inspection__unit", "area", "criterion"
        ),
        pk=finding_pk,
    )
    if not can_see_visit_findings(user, finding.inspection):
        raise Http404
    if not services.is_member_going(user, finding.inspection):
        raise PermissionDenied
    return finding


def _answer_for_writer(user, answer_pk) -> ChecklistAnswer:
    answer = get_object_or_404(
        ChecklistAnswer.objects.filter(inspection__in=inspections_for(user)).select_related(
            "inspection__plan", "inspection__unit", "desk_unit", "item"
        ),
        pk=answer_pk,
    )
    if not can_see_visit_findings(user, answer.inspection):
        raise Http404
    if not services.is_member_going(user, answer.inspection):
        raise PermissionDenied
    return answer


def _refused(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def _page_url(inspection, anchor="") -> str:
    url = reverse("inspections:visit_findings", args=[inspection.pk])
    return f"{url}#{anchor}" if anchor else url


# --- The page --------------------------------------------------------------------------------


def _checklist(request, inspection, findings, *, writer, bound_form=None):
    """Per desk (the district's first, then each commune with answers or asked for): its rows and form."""
    unit = inspection.unit
    if unit.kind != Unit.Kind.DISTRICT:
        return None
    desks = services.checklist_desks(inspection)
    items = list(inspection.plan.checklist_items.all())
    by_desk: dict[int, dict[int, ChecklistAnswer]] = {}
    for answer in inspection.checklist_answers.all():
        by_desk.setdefault(answer.desk_unit_id, {})[answer.item_id] = answer
    converted = {f.checklist_answer_id for f in findings if f.checklist_answer_id}
    communes = [d for d in desks.in_registry_order() if d.pk != unit.pk]
    asked = request.GET.get("xa") or (bound_form.data.get("desk_unit") if bound_form is not None else "")
    shown = [unit] + [c for c in communes if c.pk in by_desk or str(c.pk) == str(asked)]
    tables = []
    for desk in shown:
        answers = by_desk.get(desk.pk, {})
        if bound_form is not None and str(bound_form.data.get("desk_unit")) == str(desk.pk):
            form = bound_form
        else:
            form = ChecklistDeskForm(
                desks=desks,
                items=items,
                answers=answers,
                initial={"desk_unit": desk.pk},
                auto_id=f"id_desk{desk.pk}_%s",  # one form per desk on the page: ids stay unique
            )
        rows = [
            {
                "item": item,
                "answer": answers.get(item.pk),
                "converted": item.pk in answers and answers[item.pk].pk in converted,
                "answer_field": form[f"answer_{item.pk}"],
                "note_field": form[f"note_{item.pk}"],
            }
            for item in items
        ]
        tables.append({"desk": desk, "rows": rows, "answered": len(answers)})
    addable = [c for c in communes if c not in shown and c.is_active] if writer else []
    return {"tables": tables, "addable": addable, "has_items": bool(items)}


def _render_page(
    request, inspection, *, status=200, finding_form=None, editing=None, divisions_form=None, checklist_form=None
):
    plan, unit = inspection.plan, inspection.unit
    conclusion = Conclusion.objects.filter(inspection=inspection).first()
    issued = conclusion is not None and conclusion.is_issued
    going = services.is_member_going(request.user, inspection)
    writer = going and not issued and not plan.is_read_only
    findings = list(inspection.findings.select_related("area", "criterion", "created_by").prefetch_related("evidence"))
    areas = [(area, [f for f in findings if f.area_id == area.pk]) for area in plan.areas.all()]
    checked = list(inspection.checked_divisions.in_registry_order())
    if writer:
        if finding_form is None:
            finding_form = FindingForm(plan=plan, finding=editing) if editing else FindingRecordForm(plan=plan)
        divisions_form = divisions_form or CheckedDivisionsForm(inspection=inspection, checked=checked)
    latest: dict[str, Submission] = {}
    counts: dict[str, int] = {}
    for submission in inspection.submissions.filter(kind__in=REPORT_KINDS):  # newest first
        latest.setdefault(submission.kind, submission)
        counts[submission.kind] = counts.get(submission.kind, 0) + 1
    figures = (
        AppendixValue.objects.filter(plan=plan, unit=unit)
        .select_related("figure")
        .order_by("figure__order", "figure__pk")
    )
    return render(
        request,
        "inspections/visit_findings.html",
        {
            "inspection": inspection,
            "plan": plan,
            "conclusion_issued": issued,
            "plan_closed": plan.is_read_only,
            "writer": writer,
            "can_history": can_manage(request.user),
            "areas": areas,
            "finding_count": len(findings),
            "finding_form": finding_form if writer else None,
            "editing": editing if writer else None,
            "checked": checked,
            "divisions_form": divisions_form if writer else None,
            "checklist": _checklist(request, inspection, findings, writer=writer, bound_form=checklist_form),
            "reports": [(kind, latest.get(kind), counts.get(kind, 0)) for kind in REPORT_KINDS],
            "figures": figures,
        },
        status=status,
    )


@require_GET
def visit_findings(request, pk):
    inspection = _visit_for_reader(request.user, pk)
    return _render_page(request, inspection)


# --- Findings --------------------------------------------------------------------------------


@require_POST
def visit_finding_add(request, pk):
    inspection = _visit_for_writer(request.user, pk)
    form = FindingRecordForm(request.POST, request.FILES, plan=inspection.plan)
    if form.is_valid():
        try:
            finding = services.finding_record(
                inspection=inspection,
                area=form.cleaned_data["area"],
                criterion=form.cleaned_data["criterion"],
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
                user=request.user,
                files=form.cleaned_data["files"],
            )
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("Đã ghi kết quả kiểm tra."))
            return redirect(_page_url(inspection, f"noi-dung-{finding.area.number}"))
    return _render_page(request, inspection, status=400, finding_form=form)


@require_http_methods(["GET", "POST"])
def visit_finding_edit(request, finding_pk):
    finding = _finding_for_writer(request.user, finding_pk)
    inspection = finding.inspection
    if request.method == "GET":
        return _render_page(request, inspection, editing=finding)
    form = FindingForm(request.POST, plan=inspection.plan, finding=finding)
    if form.is_valid():
        try:
            services.finding_update(
                finding=finding,
                area=form.cleaned_data["area"],
                criterion=form.cleaned_data["criterion"],
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            keep_input_for_retry(form, error)
            _refused(request, error)
        else:
            messages.success(request, _("Đã sửa kết quả kiểm tra."))
            return redirect(_page_url(inspection, f"noi-dung-{finding.area.number}"))
    return _render_page(request, inspection, status=400, finding_form=form, editing=finding)


@require_POST
def visit_finding_delete(request, finding_pk):
    finding = _finding_for_writer(request.user, finding_pk)
    inspection = finding.inspection
    try:
        services.finding_delete(finding=finding)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Đã xóa kết quả kiểm tra."))
    return redirect(_page_url(inspection))


@require_GET
def evidence_download(request, pk):
    evidence = get_evidence_for(request.user, pk)
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=download_name(evidence.original_name, evidence.extension),
        content_type=CONTENT_TYPES.get(evidence.extension, "application/octet-stream"),
    )


# --- Checked divisions -----------------------------------------------------------------------


@require_POST
def visit_divisions(request, pk):
    inspection = _visit_for_writer(request.user, pk)
    checked = list(inspection.checked_divisions.all())
    form = CheckedDivisionsForm(request.POST, inspection=inspection, checked=checked)
    if form.is_valid():
        try:
            services.checked_divisions_set(inspection=inspection, units=form.cleaned_data["divisions"])
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("Đã lưu các phòng, ban đã kiểm tra."))
            return redirect(_page_url(inspection, "phong-ban"))
    else:
        messages.error(request, " ".join(form.errors.get("divisions", [])) or _("Dữ liệu không hợp lệ."))
    return _render_page(request, inspection, status=400, divisions_form=form)


# --- The one-stop desk checklist -------------------------------------------------------------


@require_POST
def visit_checklist(request, pk):
    inspection = _visit_for_writer(request.user, pk)
    items = inspection.plan.checklist_items.all()
    form = ChecklistDeskForm(request.POST, desks=services.checklist_desks(inspection), items=items)
    if not form.is_valid():
        messages.error(request, " ".join(dict.fromkeys(m for errors in form.errors.values() for m in errors)))
        return _render_page(request, inspection, status=400, checklist_form=form)
    desk = form.cleaned_data["desk_unit"]
    answered = form.answered()
    if not answered:
        messages.warning(request, _("Chưa chọn kết quả nào: không có gì thay đổi."))
        return redirect(_page_url(inspection, f"mot-cua-{desk.pk}"))
    try:
        with transaction.atomic():  # every answer of the desk, or none
            for item, answer, note in answered:
                services.checklist_answer(
                    inspection=inspection, desk_unit=desk, item=item, answer=answer, note=note, user=request.user
                )
    except ValidationError as error:
        _refused(request, error)
        return _render_page(request, inspection, status=400, checklist_form=form)
    messages.success(
        request,
        _("Đã lưu %(n)s nội dung kiểm tra Bộ phận Một cửa %(desk)s.") % {"n": len(answered), "desk": desk.short_name},
    )
    return redirect(_page_url(inspection, f"mot-cua-{desk.pk}"))


@require_POST
def checklist_to_shortcoming(request, answer_pk):
    answer = _answer_for_writer(request.user, answer_pk)
    try:
        finding = services.checklist_answer_to_shortcoming(answer=answer, user=request.user)
    except ValidationError as error:
        _refused(request, error)
        return redirect(_page_url(answer.inspection, f"mot-cua-{answer.desk_unit_id}"))
    messages.success(request, _("Đã ghi thành tồn tại, hạn chế ở nội dung %(n)s.") % {"n": finding.area.number})
    return redirect(_page_url(answer.inspection, f"noi-dung-{finding.area.number}"))
