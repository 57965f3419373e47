"""The unit portal: self-reports, appendix figures, paper copies, self-inspection, coverage, overview."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inspections import services
from inspections.access import (
    can_manage,
    get_inspection_for,
    get_plan_for,
    get_self_inspection_unit_for,
    get_submission_for,
    is_unit_staff_of,
)
from inspections.forms import (
    AppendixUploadForm,
    AppendixValuesForm,
    PaperCopyForm,
    SelfFindingForm,
    SelfInspectedUnitForm,
    SubmissionForm,
    add_errors,
)
from inspections.models import Finding, InspectionPlan, SelfInspection, Submission
from inspections.uploads import check_upload, download_name
from reports.appendix_excel import appendix_template_xlsx, check_figure_rules, read_appendix_xlsx
from units.models import Unit

OVERVIEW_PER_PAGE = 50

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": XLSX,
}
VISIT_KINDS = [Submission.Kind.REPORT, Submission.Kind.APPENDIX]
SELF_INSPECTION_KINDS = [Submission.Kind.SELF_INSPECTION_PLAN, Submission.Kind.SELF_INSPECTION_REPORT]


def _save_files(request, form, *, plan, unit, inspection=None) -> bool:
    """Store each file of a valid upload form as a new version; report each refusal by name."""
    stored = 0
    for uploaded in form.cleaned_data["files"]:
        try:
            services.submission_create(
                plan=plan,
                unit=unit,
                inspection=inspection,
                kind=form.cleaned_data["kind"],
                uploaded_file=uploaded,
                user=request.user,
            )
        except ValidationError as error:
            form.add_error("files", f"{uploaded.name[:100]}: {' '.join(error.messages)}")
        else:
            stored += 1
    if stored:
        messages.success(request, _("Đã nhận %(n)s tệp.") % {"n": stored})
    return not form.errors


def _numbered(submissions, kinds):
    """Per kind, its versions newest first, each with its number (1 = the first sent)."""
    result = []
    for kind in kinds:
        files = [s for s in submissions if s.kind == kind]
        result.append((kind, [(len(files) - i, s) for i, s in enumerate(files)]))
    return result


# --- Reports before a visit ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def inspection_reports(request, pk):
    inspection = get_inspection_for(request.user, pk)
    can_upload = is_unit_staff_of(request.user, inspection.unit) and not inspection.plan.is_read_only
    if request.method == "POST" and not can_upload:
        raise PermissionDenied
    form = SubmissionForm(request.POST or None, request.FILES or None, kinds=VISIT_KINDS)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save_files(request, form, plan=inspection.plan, unit=inspection.unit, inspection=inspection)
    ):
        return redirect("inspections:inspection_reports", pk=inspection.pk)
    submissions = inspection.submissions.select_related("uploaded_by")
    copies = list(inspection.paper_copies.select_related("recorded_by"))
    return render(
        request,
        "inspections/inspection_reports.html",
        {
            "inspection": inspection,
            "plan": inspection.plan,
            "form": form if can_upload else None,
            "versions": _numbered(submissions, VISIT_KINDS),
            "moved": inspection.reschedules.exists(),
            "copies": copies,
            "copies_total": sum(c.count for c in copies),
            "copies_short": max(0, inspection.plan.paper_copies_required - sum(c.count for c in copies)),
            "copy_form": PaperCopyForm() if can_manage(request.user) and not inspection.plan.is_read_only else None,
            "today": timezone.localdate(),
        },
    )


@require_GET
def submission_download(request, pk):
    submission = get_submission_for(request.user, pk)
    return FileResponse(
        submission.file.open("rb"),
        as_attachment=True,
        filename=download_name(submission.original_name.rsplit(".", 1)[0], submission.extension),
        content_type=CONTENT_TYPES.get(submission.extension, "application/octet-stream"),
    )


@require_POST
def paper_copies_add(request, pk):
    inspection = get_inspection_for(request.user, pk, write=True)
    form = PaperCopyForm(request.POST)
    if form.is_valid():
        services.paper_copies_record(inspection=inspection, user=request.user, **form.cleaned_data)
        messages.success(request, _("Đã ghi nhận bản giấy."))
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return redirect("inspections:inspection_reports", pk=inspection.pk)


# --- Appendix figures ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def inspection_appendix(request, pk):
    inspection = get_inspection_for(request.user, pk)
    plan, unit = inspection.plan, inspection.unit
    editable = is_unit_staff_of(request.user, unit) and not plan.is_read_only
    if request.method == "POST" and not editable:
        raise PermissionDenied
    figures = list(plan.figures.all())
    rules = list(plan.figure_rules.all())
    current = {v.figure.code: v.value for v in unit.figure_values.filter(plan=plan).select_related("figure")}
    values_form = AppendixValuesForm(
        request.POST if "save_values" in request.POST else None, initial=current, figures=figures
    )
    upload_form = AppendixUploadForm(
        request.POST if "upload" in request.POST else None, request.FILES if "upload" in request.POST else None
    )
    problems = []
    if "save_values" in request.POST and values_form.is_valid():
        values = {f.code: values_form.cleaned_data[f.code] for f in figures}
        problems = check_figure_rules(values, figures=figures, rules=rules)
        if not problems:
            services.appendix_save(plan=plan, unit=unit, values=values, user=request.user)
            messages.success(request, _("Đã lưu số liệu phụ lục."))
            return redirect("inspections:inspection_appendix", pk=inspection.pk)
    if "upload" in request.POST and upload_form.is_valid():
        workbook = upload_form.cleaned_data["workbook"]
        try:
            checked = check_upload(workbook, allowed=("xlsx",))
        except ValidationError as error:
            add_errors(upload_form, ValidationError({"workbook": error.messages}))
        else:
            values, problems = read_appendix_xlsx(workbook.read(), figures=figures, rules=rules)
            if not problems:
                services.appendix_save(plan=plan, unit=unit, values=values, user=request.user)
                messages.success(
                    request,
                    _("Đã đọc và lưu %(n)s số liệu từ tệp %(name)s.")
                    % {"n": len(values), "name": checked.original_name},
                )
                return redirect("inspections:inspection_appendix", pk=inspection.pk)
    groups = {}
    for figure in figures:
        groups.setdefault(figure.group, []).append((figure, current.get(figure.code)))
    return render(
        request,
        "inspections/inspection_appendix.html",
        {
            "inspection": inspection,
            "plan": plan,
            "groups": groups,
            "editable": editable,
            "values_form": values_form,
            "upload_form": upload_form,
            "problems": problems,
            "complete": len(current) == len(figures) and bool(figures),
        },
    )


@require_GET
def appendix_template(request, pk):
    inspection = get_inspection_for(request.user, pk)
    plan, unit = inspection.plan, inspection.unit
    current = {v.figure.code: v.value for v in unit.figure_values.filter(plan=plan).select_related("figure")}
    data = appendix_template_xlsx(
        plan_title=plan.title, unit_name=unit.name, figures=list(plan.figures.all()), values=current
    )
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="phu-luc-{plan.year}-{unit.code}.xlsx"'
    return response


# --- Self-inspection -------------------------------------------------------------------------


def _self_inspection_context(request, plan, unit, **forms):
    self_inspection = SelfInspection.objects.filter(plan=plan, unit=unit).first()
    inspected = list(self_inspection.inspected.select_related("unit", "recorded_by")) if self_inspection else []
    findings = (
        Finding.objects.filter(plan=plan, unit=unit, inspection__isnull=True)
        .select_related("area", "criterion", "created_by")
        .order_by("area__number", "pk")
    )
    submissions = plan.submissions.filter(unit=unit, kind__in=SELF_INSPECTION_KINDS).select_related("uploaded_by")
    coverage = None
    if unit.kind == Unit.Kind.DISTRICT:
        coverage = services.district_coverages(plan, Unit.objects.filter(pk=unit.pk))[0]
    editable = is_unit_staff_of(request.user, unit) and not plan.is_read_only
    subordinates = services.subordinates_of(unit).exclude(pk__in=[i.unit_id for i in inspected])
    return {
        "plan": plan,
        "unit": unit,
        "self_inspecting": not plan.directly_inspected_units.filter(pk=unit.pk).exists(),
        "inspected": inspected,
        "findings": findings,
        "versions": _numbered(submissions, SELF_INSPECTION_KINDS),
        "coverage": coverage,
        "editable": editable,
        "upload_form": forms.get("upload_form") or SubmissionForm(kinds=SELF_INSPECTION_KINDS),
        "unit_form": forms.get("unit_form") or SelfInspectedUnitForm(subordinates=subordinates),
        "finding_form": forms.get("finding_form") or SelfFindingForm(plan=plan),
        "today": timezone.localdate(),
    }


def _plan_for_unit_pages(pk) -> InspectionPlan:
    # Plans are public documents; what a unit sees of one is scoped by the unit checks.
    return get_object_or_404(InspectionPlan.objects.exclude(status=InspectionPlan.Status.DRAFT), pk=pk)


@require_GET
def self_inspection(request, pk, unit_pk):
    plan = _plan_for_unit_pages(pk)
    unit = get_self_inspection_unit_for(request.user, plan, unit_pk)
    return render(request, "inspections/self_inspection.html", _self_inspection_context(request, plan, unit))


@require_POST
def self_inspection_upload(request, pk, unit_pk):
    plan = _plan_for_unit_pages(pk)
    unit = get_self_inspection_unit_for(request.user, plan, unit_pk, write=True)
    form = SubmissionForm(request.POST, request.FILES, kinds=SELF_INSPECTION_KINDS)
    if form.is_valid() and _save_files(request, form, plan=plan, unit=unit):
        services.self_inspection_get(plan=plan, unit=unit)
        return redirect("inspections:self_inspection", pk=plan.pk, unit_pk=unit.pk)
    context = _self_inspection_context(request, plan, unit, upload_form=form)
    return render(request, "inspections/self_inspection.html", context, status=400)


@require_POST
def self_inspection_unit_add(request, pk, unit_pk):
    plan = _plan_for_unit_pages(pk)
    unit = get_self_inspection_unit_for(request.user, plan, unit_pk, write=True)
    form = SelfInspectedUnitForm(request.POST, subordinates=services.subordinates_of(unit))
    if form.is_valid():
        try:
            services.self_inspected_unit_add(
                self_inspection=services.self_inspection_get(plan=plan, unit=unit),
                unit=form.cleaned_data["unit"],
                inspected_on=form.cleaned_data["inspected_on"],
                user=request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Đã thêm đơn vị đã kiểm tra."))
            return redirect("inspections:self_inspection", pk=plan.pk, unit_pk=unit.pk)
    context = _self_inspection_context(request, plan, unit, unit_form=form)
    return render(request, "inspections/self_inspection.html", context, status=400)


@require_POST
def self_inspection_finding_add(request, pk, unit_pk):
    plan = _plan_for_unit_pages(pk)
    unit = get_self_inspection_unit_for(request.user, plan, unit_pk, write=True)
    form = SelfFindingForm(request.POST, plan=plan)
    if form.is_valid():
        services.self_inspection_finding_add(
            self_inspection=services.self_inspection_get(plan=plan, unit=unit),
            area=form.cleaned_data["area"],
            criterion=form.cleaned_data["criterion"],
            kind=form.cleaned_data["kind"],
            text=form.cleaned_data["text"],
            user=request.user,
        )
        messages.success(request, _("Đã ghi kết quả tự kiểm tra."))
        return redirect("inspections:self_inspection", pk=plan.pk, unit_pk=unit.pk)
    context = _self_inspection_context(request, plan, unit, finding_form=form)
    return render(request, "inspections/self_inspection.html", context, status=400)


# --- Coordinators' tables --------------------------------------------------------------------


@require_GET
def plan_coverage(request, pk):
    plan = get_plan_for(request.user, pk)
    return render(
        request,
        "inspections/plan_coverage.html",
        {"plan": plan, "coverages": services.district_coverages(plan)},
    )


@require_GET
def plan_overview(request, pk):
    """Every unit of the plan in one table, OVERVIEW_PER_PAGE a page: reports on time/late/missing,
    copies, self-inspection. Only the page's units have their files, visits and findings read."""
    plan = get_plan_for(request.user, pk)
    direct_ids = set(plan.directly_inspected_units.values_list("pk", flat=True))
    units = Unit.objects.filter(
        Q(pk__in=direct_ids) | Q(kind__in=[Unit.Kind.DEPARTMENT, Unit.Kind.DISTRICT], is_active=True)
    ).in_registry_order()
    page = Paginator(units, OVERVIEW_PER_PAGE).get_page(request.GET.get("page"))
    page_units = list(page.object_list)
    unit_ids = [unit.pk for unit in page_units]
    first = {}
    # plan_id stays loaded: the related manager sets each row's plan from it (deferred, a query a row).
    submissions = plan.submissions.filter(unit_id__in=unit_ids).order_by("uploaded_at", "pk")
    for submission in submissions.only("plan_id", "unit_id", "kind", "uploaded_at", "due_date"):
        first.setdefault((submission.unit_id, submission.kind), submission)
    visits = {
        v.unit_id: v
        for v in plan.inspections.filter(unit_id__in=unit_ids)
        .annotate(copies=Sum("paper_copies__count"))
        .select_related("unit", "plan")
    }
    districts = Unit.objects.filter(pk__in=unit_ids, kind=Unit.Kind.DISTRICT, is_active=True)
    coverage = {c.district.pk: c for c in services.district_coverages(plan, districts)}
    finding_counts = dict(
        Finding.objects.filter(plan=plan, inspection__isnull=True, unit_id__in=unit_ids)
        .values_list("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    rows = []
    for unit in page_units:
        direct = unit.pk in direct_ids
        visit = visits.get(unit.pk)
        rows.append(
            {
                "unit": unit,
                "direct": direct,
                "visit": visit,
                "report": first.get((unit.pk, Submission.Kind.REPORT)),
                "appendix": first.get((unit.pk, Submission.Kind.APPENDIX)),
                "copies": (visit.copies or 0) if visit else None,
                "si_plan": first.get((unit.pk, Submission.Kind.SELF_INSPECTION_PLAN)),
                "si_report": first.get((unit.pk, Submission.Kind.SELF_INSPECTION_REPORT)),
                "si_findings": finding_counts.get(unit.pk, 0),
                "coverage": coverage.get(unit.pk),
            }
        )
    return render(
        request,
        "inspections/plan_overview.html",
        {"plan": plan, "rows": rows, "page": page, "querystring": "", "today": timezone.localdate()},
    )
