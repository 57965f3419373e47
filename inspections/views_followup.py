"""After the visit: the team lead's conclusion, the unit's remediation, and the audit trail."""

import datetime

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, FileField, ForeignKey, Prefetch, Q
from django.forms.models import model_to_dict
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from inspections import services
from inspections.access import (
    actions_for,
    can_manage,
    get_action_for,
    get_inspection_for,
    get_plan_for,
    is_unit_staff_of,
)
from inspections.forms import add_errors, keep_input_for_retry
from inspections.forms_followup import (
    ActionForm,
    ConclusionForm,
    RemediationFilterForm,
    RemediationReportForm,
    RemediationReviewForm,
    ReopenForm,
)
from inspections.models import (
    Conclusion,
    ConclusionArea,
    ConclusionRevision,
    ContentArea,
    EvidenceFile,
    Finding,
    Inspection,
    InspectionPlan,
    RemediationAction,
    RemediationReview,
    Submission,
)
from units.models import Unit
from units.roles import is_province_wide

ACTIONS_PER_PAGE = 50


def _refuse(request, error: ValidationError, form=None) -> None:
    """A service's refusal: on the form when the page shows it, else as a message."""
    if form is not None:
        add_errors(form, error)
    else:
        messages.error(request, " ".join(error.messages))


# --- The conclusion --------------------------------------------------------------------------


def _reads_issued_only(user, inspection: Inspection) -> bool:
    """The inspected unit's own staff read the conclusion only as issued, never the draft."""
    return user.unit_id == inspection.unit_id and not is_province_wide(user)


def _iso_date(value):
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _readable(snapshot: dict) -> dict:
    """A snapshot (conclusion_snapshot's shape) with its ISO dates turned back into dates."""
    return {
        **snapshot,
        "date": _iso_date(snapshot.get("date")),
        "actions": [{**a, "deadline": _iso_date(a.get("deadline"))} for a in snapshot.get("actions", [])],
    }


class _State:
    """What the current user may do with a visit's conclusion."""

    def __init__(self, user, inspection: Inspection):
        self.inspection = inspection
        self.conclusion = (
            Conclusion.objects.filter(inspection=inspection).select_related("updated_by", "inspection__unit").first()
        )
        self.is_lead = services.is_team_lead(user, inspection.plan)
        writable = self.is_lead and not inspection.plan.is_read_only
        self.can_start = writable and self.conclusion is None
        self.editable = writable and self.conclusion is not None and not self.conclusion.is_issued
        self.can_reopen = writable and self.conclusion is not None and self.conclusion.is_issued


def _lead_state(request, pk) -> _State:
    """A write on the conclusion: its readers may ask (404 for others), only the team lead may do it."""
    inspection = get_inspection_for(request.user, pk)
    state = _State(request.user, inspection)
    if not state.is_lead:
        raise PermissionDenied
    if inspection.plan.is_read_only:
        raise PermissionDenied(_("Kế hoạch đã kết thúc: chỉ xem, không sửa."))
    return state


def _conclusion_of(state: _State) -> Conclusion:
    if state.conclusion is None:
        raise Http404
    return state.conclusion


def _shortcomings(inspection: Inspection):
    return inspection.findings.filter(kind=Finding.Kind.SHORTCOMING)


def _render_conclusion(request, state: _State, *, status=200, **forms):
    inspection, conclusion = state.inspection, state.conclusion
    plan = inspection.plan
    context = {
        "inspection": inspection,
        "plan": plan,
        "conclusion": conclusion,
        "state": state,
        "can_history": can_manage(request.user),
        "revisions": [],
    }
    if conclusion is not None:
        context["revisions"] = conclusion.revisions.select_related("issued_by", "reopened_by")
        context["actions"] = conclusion.actions.select_related("finding__area")
    if state.editable:
        summaries = conclusion.areas.select_related("area")
        context["form"] = forms.get("form") or ConclusionForm(conclusion=conclusion, summaries=summaries)
        context["shortcomings"] = (
            _shortcomings(inspection)
            .select_related("area", "criterion")
            .annotate(n_actions=Count("remediation_actions"))
            .order_by("area__number", "pk")
        )
        context["action_form"] = forms.get("action_form") or ActionForm(
            shortcomings=_shortcomings(inspection), plan=plan
        )
    elif conclusion is not None:
        context["text"] = _readable(services.conclusion_snapshot(conclusion))
    if state.can_reopen:
        context["reopen_form"] = forms.get("reopen_form") or ReopenForm()
    return render(request, "inspections/conclusion_detail.html", context, status=status)


@require_GET
def conclusion(request, pk):
    inspection = get_inspection_for(request.user, pk)
    if _reads_issued_only(request.user, inspection):
        revision = (
            ConclusionRevision.objects.filter(conclusion__inspection=inspection)
            .select_related("conclusion", "issued_by")
            .order_by("-number")
            .first()
        )
        if revision is None:
            raise Http404
        return _render_revision(request, inspection, revision, latest=True)
    return _render_conclusion(request, _State(request.user, inspection))


@require_GET
def conclusion_revision(request, pk, number):
    inspection = get_inspection_for(request.user, pk)
    revision = get_object_or_404(
        ConclusionRevision.objects.select_related("conclusion", "issued_by", "reopened_by"),
        conclusion__inspection=inspection,
        number=number,
    )
    return _render_revision(request, inspection, revision, latest=False)


def _render_revision(request, inspection, revision, *, latest: bool):
    return render(
        request,
        "inspections/conclusion_revision.html",
        {
            "inspection": inspection,
            "plan": inspection.plan,
            "revision": revision,
            "text": _readable(revision.snapshot),
            "latest": latest,
            "unit_reader": _reads_issued_only(request.user, inspection),
            "revisions": revision.conclusion.revisions.select_related("issued_by", "reopened_by"),
        },
    )


@require_POST
def conclusion_start(request, pk):
    state = _lead_state(request, pk)
    if state.conclusion is None:
        services.conclusion_start(inspection=state.inspection, user=request.user)
        messages.success(request, _("Đã tạo dự thảo kết luận, điền sẵn từ kết quả kiểm tra."))
    return redirect("inspections:conclusion", pk=pk)


@require_POST
def conclusion_save(request, pk):
    state = _lead_state(request, pk)
    conclusion = _conclusion_of(state)
    form = ConclusionForm(request.POST, conclusion=conclusion, summaries=conclusion.areas.select_related("area"))
    if form.is_valid():
        try:
            services.conclusion_save(
                conclusion=conclusion,
                general_assessment=form.cleaned_data["general_assessment"],
                areas=form.areas_data(),
                user=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            keep_input_for_retry(form, error)
            _refuse(request, error, form if state.editable else None)
        else:
            messages.success(request, _("Đã lưu dự thảo kết luận."))
            return redirect("inspections:conclusion", pk=pk)
    return _render_conclusion(request, state, status=400, form=form)


@require_POST
def conclusion_refill(request, pk, number):
    state = _lead_state(request, pk)
    summary = get_object_or_404(
        ConclusionArea.objects.select_related("area"), conclusion=_conclusion_of(state), area__number=number
    )
    try:
        services.conclusion_refill_area(conclusion=state.conclusion, area_summary=summary)
    except ValidationError as error:
        _refuse(request, error)
    else:
        messages.success(
            request, _("Đã điền lại nội dung %(number)s từ kết quả kiểm tra.") % {"number": summary.area.number}
        )
    return redirect("inspections:conclusion", pk=pk)


@require_POST
def action_add(request, pk):
    state = _lead_state(request, pk)
    conclusion = _conclusion_of(state)
    form = ActionForm(request.POST, shortcomings=_shortcomings(state.inspection), plan=state.inspection.plan)
    if form.is_valid():
        try:
            services.action_add(
                conclusion=conclusion,
                text=form.cleaned_data["text"],
                finding=form.cleaned_data["finding"],
                deadline=form.cleaned_data["deadline"],
                user=request.user,
            )
        except ValidationError as error:
            _refuse(request, error, form if state.editable else None)
        else:
            messages.success(request, _("Đã thêm yêu cầu khắc phục."))
            return redirect("inspections:conclusion", pk=pk)
    if request.POST.get("finding") or not state.editable:
        # A one-click request from a shortcoming has no form of its own on the page: say why here.
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields and field != "finding" else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        return _render_conclusion(request, state, status=400)
    return _render_conclusion(request, state, status=400, action_form=form)


@require_POST
def action_delete(request, pk, action_pk):
    state = _lead_state(request, pk)
    action = get_object_or_404(_conclusion_of(state).actions, pk=action_pk)
    try:
        services.action_delete(action=action, user=request.user)
    except ValidationError as error:
        _refuse(request, error)
    else:
        messages.success(request, _("Đã xóa yêu cầu khắc phục."))
    return redirect("inspections:conclusion", pk=pk)


@require_POST
def conclusion_issue(request, pk):
    state = _lead_state(request, pk)
    try:
        revision = services.conclusion_issue(conclusion=_conclusion_of(state), user=request.user)
    except ValidationError as error:
        _refuse(request, error)
    else:
        messages.success(request, _("Đã ban hành kết luận (lần %(number)s).") % {"number": revision.number})
    return redirect("inspections:conclusion", pk=pk)


@require_POST
def conclusion_reopen(request, pk):
    state = _lead_state(request, pk)
    conclusion = _conclusion_of(state)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.conclusion_reopen(conclusion=conclusion, reason=form.cleaned_data["reason"], user=request.user)
        except ValidationError as error:
            _refuse(request, error, form if state.can_reopen else None)
        else:
            messages.success(request, _("Đã mở lại kết luận để sửa. Bản đã ban hành vẫn được giữ."))
            return redirect("inspections:conclusion", pk=pk)
    elif not state.can_reopen:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return _render_conclusion(request, state, status=400, reopen_form=form)


# --- Remediation -----------------------------------------------------------------------------


@require_GET
def remediation_list(request):
    """The unit's own actions for its staff; every action for coordinators and leadership."""
    actions = actions_for(request.user)
    form = RemediationFilterForm(request.GET or None, actions=actions, with_units=is_province_wide(request.user))
    filters = form.cleaned_data if form.is_valid() else {}
    if filters.get("plan"):
        actions = actions.filter(conclusion__inspection__plan=filters["plan"])
    if filters.get("unit"):
        actions = actions.filter(unit=filters["unit"])
    counts = services.remediation_counts(actions)
    listed = actions
    if filters.get("status"):
        listed = listed.filter(status=filters["status"])
    if filters.get("overdue"):
        listed = listed.exclude(status=RemediationAction.Status.VERIFIED).filter(deadline__lt=timezone.localdate())
    listed = listed.select_related("unit", "conclusion__inspection__plan", "finding__area").order_by(
        "deadline", "unit__sort_order", "pk"
    )
    page = Paginator(listed, ACTIONS_PER_PAGE).get_page(request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    without_status = request.GET.copy()
    for key in ("page", "status", "overdue"):
        without_status.pop(key, None)
    return render(
        request,
        "inspections/remediation_list.html",
        {
            "form": form,
            "page": page,
            "counts": counts,
            "querystring": querystring.urlencode(),
            "base_query": without_status.urlencode(),
            "today": timezone.localdate(),
        },
    )


@require_GET
def remediation_plan(request, pk):
    """Per unit of the plan: its actions counted per status, and overdue (derived), on one table."""
    plan = get_plan_for(request.user, pk)
    today = timezone.localdate()
    statuses = RemediationAction.Status
    per_status = {f"n_{value}": Count("pk", filter=Q(status=value)) for value in statuses.values}
    overdue = Count("pk", filter=Q(deadline__lt=today) & ~Q(status=statuses.VERIFIED))
    counted = {
        row["unit_id"]: row
        for row in RemediationAction.objects.filter(conclusion__inspection__plan=plan)
        .order_by()
        .values("unit_id")
        .annotate(total=Count("pk"), overdue=overdue, **per_status)
    }
    rows = [
        {
            "unit": unit,
            "cells": [counted[unit.pk][f"n_{value}"] for value in statuses.values],
            "overdue": counted[unit.pk]["overdue"],
            "total": counted[unit.pk]["total"],
        }
        for unit in Unit.objects.filter(pk__in=counted).in_registry_order()
    ]
    totals = {
        "cells": [sum(row["cells"][i] for row in rows) for i in range(len(statuses.values))],
        "overdue": sum(row["overdue"] for row in rows),
        "total": sum(row["total"] for row in rows),
    }
    return render(
        request,
        "inspections/remediation_plan.html",
        {"plan": plan, "statuses": statuses.choices, "rows": rows, "totals": totals, "today": today},
    )


def _render_action(request, action: RemediationAction, *, status=200, report_form=None, review_form=None):
    user = request.user
    plan = action.conclusion.inspection.plan
    reviews = RemediationReview.objects.select_related("reviewed_by").order_by("reviewed_at", "pk")
    reports = list(
        action.reports.select_related("submitted_by").prefetch_related("evidence", Prefetch("reviews", reviews))
    )
    last_review = max((r for report in reports for r in report.reviews.all()), key=_review_order, default=None)
    open_to_report = action.status in (RemediationAction.Status.OPEN, RemediationAction.Status.RETURNED)
    can_report = is_unit_staff_of(user, action.unit) and not plan.is_read_only and open_to_report
    can_review = can_manage(user) and not plan.is_read_only and action.status == RemediationAction.Status.REPORTED
    return render(
        request,
        "inspections/remediation_detail.html",
        {
            "action": action,
            "plan": plan,
            "inspection": action.conclusion.inspection,
            "reports": reports,
            "returned": last_review if action.status == RemediationAction.Status.RETURNED else None,
            "report_form": (report_form or RemediationReportForm(initial={"version": action.version}))
            if can_report
            else None,
            "review_form": (review_form or RemediationReviewForm(initial={"version": action.version}))
            if can_review
            else None,
            "can_history": can_manage(user),
            "today": timezone.localdate(),
        },
        status=status,
    )


def _review_order(review):
    return (review.reviewed_at, review.pk)


@require_GET
def remediation_detail(request, pk):
    return _render_action(request, get_action_for(request.user, pk))


@require_POST
def remediation_report(request, pk):
    action = get_action_for(request.user, pk, report=True)
    form = RemediationReportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            report = services.remediation_report(
                action=action,
                text=form.cleaned_data["text"],
                files=form.cleaned_data["files"],
                user=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            keep_input_for_retry(form, error)
            _refuse(request, error)
        else:
            messages.success(
                request,
                _("Đã gửi báo cáo khắc phục (%(n)s tệp minh chứng).") % {"n": report.evidence.count()},
            )
            return redirect("inspections:remediation_detail", pk=action.pk)
    return _render_action(request, action, status=400, report_form=form)


@require_POST
def remediation_review(request, pk):
    action = get_action_for(request.user, pk, review=True)
    form = RemediationReviewForm(request.POST)
    if form.is_valid():
        try:
            review = services.remediation_review(
                action=action,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
                user=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            keep_input_for_retry(form, error)
            reviewable = action.status == RemediationAction.Status.REPORTED
            _refuse(request, error, form if reviewable else None)
        else:
            if review.decision == RemediationReview.Decision.VERIFIED:
                messages.success(request, _("Đã xác nhận hoàn thành."))
            else:
                messages.success(request, _("Đã yêu cầu đơn vị bổ sung."))
            return redirect("inspections:remediation_detail", pk=action.pk)
    return _render_action(request, action, status=400, review_form=form)


# --- The audit trail -------------------------------------------------------------------------

HISTORY_MODELS = {
    "plan": InspectionPlan,
    "inspection": Inspection,
    "finding": Finding,
    "conclusion": Conclusion,
    "action": RemediationAction,
    "submission": Submission,
    "evidence": EvidenceFile,
}
HISTORY_TYPES = {"+": gettext_lazy("Tạo mới"), "~": gettext_lazy("Sửa"), "-": gettext_lazy("Xóa")}


def _tracked(record) -> list:
    return [f for f in record.tracked_fields if f.editable and not f.primary_key]


def _entries(records: list, part: str = "", skip=()) -> list[dict]:
    """One entry per history record of one object (newest first), with what changed: against the
    record before it (record.diff_against(record.prev_record), without a query per record)."""
    entries = []
    for i, record in enumerate(records):
        previous = records[i + 1] if i + 1 < len(records) else None
        changes, partial = [], False
        if record.history_type == "~" and previous is not None:
            delta = record.diff_against(previous)
            changes = [(record._meta.get_field(c.field), c.old, c.new) for c in delta.changes]
        elif record.history_type in ("+", "~"):
            # A creation, or a change with no earlier record (rows bulk-created without history):
            # the values after are all that is known.
            partial = record.history_type == "~"
            fields = [f for f in _tracked(record) if f.name not in skip]
            values = model_to_dict(record, fields=[f.name for f in fields])
            changes = [(f, None, values[f.name]) for f in fields if values[f.name] not in (None, "")]
        entries.append({"record": record, "part": part, "changes": changes, "partial": partial})
    return entries


# Fields the models leave unnamed (their verbose_name is the English attribute name).
FIELD_LABELS = {
    "created_by": gettext_lazy("người tạo"),
    "updated_by": gettext_lazy("người cập nhật"),
    "uploaded_by": gettext_lazy("người tải lên"),
    "submitted_by": gettext_lazy("người gửi"),
    "reviewed_by": gettext_lazy("người thẩm định"),
    "file": gettext_lazy("tệp lưu trữ"),
    "extension": gettext_lazy("định dạng"),
    "size": gettext_lazy("dung lượng (byte)"),
    "sha256": gettext_lazy("mã kiểm tra SHA-256"),
    "uploaded_at": gettext_lazy("thời điểm tải lên"),
    "submitted_at": gettext_lazy("thời điểm gửi"),
    "reviewed_at": gettext_lazy("thời điểm thẩm định"),
}


def _label(field) -> str:
    """The field's name for people. A foreign key left unnamed, or sharing its name with another
    field (a finding's "nội dung" area beside its "nội dung" text), is called by what it points at."""
    label = field.verbose_name
    unnamed = str(label) == field.name.replace("_", " ")
    if unnamed and field.name in FIELD_LABELS:
        label = FIELD_LABELS[field.name]
    elif isinstance(field, ForeignKey) and (
        unnamed or any(f is not field and getattr(f, "verbose_name", None) == label for f in field.model._meta.fields)
    ):
        label = field.related_model._meta.verbose_name
    return capfirst(label)


def _related_objects(entries) -> dict:
    """Every object a foreign key of the changes points at, fetched once per model."""
    wanted: dict = {}
    for entry in entries:
        for field, old, new in entry["changes"]:
            if isinstance(field, ForeignKey):
                wanted.setdefault(field.related_model, set()).update(v for v in (old, new) if v is not None)
    return {model: model._base_manager.in_bulk(ids) for model, ids in wanted.items()}


def _show(field, value, related) -> str:
    if value is None or value == "":
        return ""
    if isinstance(field, ForeignKey):
        target = related.get(field.related_model, {}).get(value)
        return str(target) if target is not None else f"#{value}"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, FileField):
        return getattr(value, "name", str(value))
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "d/m/Y H:i")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "d/m/Y")
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    return str(value)


def _history_title(model_key: str, record) -> str:
    try:
        return str(record.instance)
    except ObjectDoesNotExist:
        return f"{capfirst(record.instance_type._meta.verbose_name)} #{record.id}"


def _history_back(model_key: str, record) -> str | None:
    if record.history_type == "-":
        return None
    targets = {
        "plan": lambda r: reverse("inspections:plan_detail", args=[r.id]),
        "inspection": lambda r: reverse("inspections:inspection_detail", args=[r.id]),
        "finding": lambda r: reverse("inspections:visit_findings", args=[r.inspection_id]) if r.inspection_id else None,
        "conclusion": lambda r: reverse("inspections:conclusion", args=[r.inspection_id]),
        "action": lambda r: reverse("inspections:remediation_detail", args=[r.id]),
    }
    return targets[model_key](record) if model_key in targets else None


@require_GET
def history(request, model, pk):
    """Who changed what and when, read from the history tables (so deleted objects too)."""
    if not can_manage(request.user):
        raise PermissionDenied
    model_class = HISTORY_MODELS.get(model)
    if model_class is None:
        raise Http404
    records = list(
        model_class.history.filter(id=pk).select_related("history_user").order_by("-history_date", "-history_id")
    )
    if not records:
        raise Http404
    entries = _entries(records)
    if model_class is Conclusion:
        # The per-area summaries are the conclusion's text: their changes belong on its page.
        by_area: dict[int, list] = {}
        area_records = ConclusionArea.history.filter(conclusion_id=pk).select_related("history_user")
        for record in area_records.order_by("-history_date", "-history_id"):
            by_area.setdefault(record.id, []).append(record)
        numbers = dict(
            ContentArea.objects.filter(pk__in={r[0].area_id for r in by_area.values()}).values_list("pk", "number")
        )
        for area_records in by_area.values():
            part = _("Nội dung %(number)s") % {"number": numbers.get(area_records[0].area_id, "?")}
            entries += _entries(area_records, part, skip={"conclusion", "area"})
        entries.sort(key=lambda e: (e["record"].history_date, e["record"].history_id), reverse=True)
    related = _related_objects(entries)
    for entry in entries:
        entry["type"] = HISTORY_TYPES[entry["record"].history_type]
        entry["changes"] = [
            {"label": _label(field), "old": _show(field, old, related), "new": _show(field, new, related)}
            for field, old, new in entry["changes"]
        ]
    return render(
        request,
        "inspections/history.html",
        {
            "model_key": model,
            "model_name": capfirst(model_class._meta.verbose_name),
            "title": _history_title(model, records[0]),
            "back": _history_back(model, records[0]),
            "entries": entries,
        },
    )
