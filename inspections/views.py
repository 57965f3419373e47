import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inspections import services
from inspections.access import (
    can_manage,
    can_read_dossier,
    can_see_visit_findings,
    get_inspection_for,
    get_plan_for,
    inspections_for,
    plans_for,
)
from inspections.calendar import inspections_ics, month_weeks
from inspections.forms import (
    CriterionForm,
    InspectionEditForm,
    InspectionFilterForm,
    InspectionForm,
    PlanForm,
    PlanUnitsForm,
    RescheduleForm,
    TeamForm,
    TeamMemberForm,
    add_errors,
)
from inspections.models import (
    CalendarToken,
    ConclusionRevision,
    ContentArea,
    Criterion,
    Inspection,
    InspectionPlan,
    TeamMember,
)
from reports.pdf import schedule_notice_pdf
from units.roles import is_province_wide

# --- Plans -----------------------------------------------------------------------------------


@require_GET
def plan_list(request):
    plans = (
        plans_for(request.user)
        .annotate(
            visit_count=Count("inspections", distinct=True),
            direct_count=Count("directly_inspected_units", distinct=True),
        )
        .order_by("-year")
    )
    return render(request, "inspections/plan_list.html", {"plans": plans, "can_manage": can_manage(request.user)})


@require_http_methods(["GET", "POST"])
def plan_create(request):
    if not can_manage(request.user):
        raise PermissionDenied
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        plan = services.plan_create(plan=form.save(commit=False))
        messages.success(request, _("Đã tạo kế hoạch năm %(year)s (dự thảo).") % {"year": plan.year})
        return redirect(plan)
    return render(request, "inspections/plan_form.html", {"form": form})


@require_GET
def plan_detail(request, pk):
    plan = get_plan_for(request.user, pk)
    visits = inspections_for(request.user).filter(plan=plan).select_related("unit", "plan")
    status_counts = dict(visits.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    team = getattr(plan, "team", None)
    members = list(team.members.select_related("user", "agency")) if team else []
    direct_units = list(plan.directly_inspected_units.in_registry_order())
    context = {
        "plan": plan,
        "team": team,
        "members": members,
        "lead": next((m for m in members if m.role == TeamMember.Role.LEAD), None),
        "direct_units": direct_units,
        "self_inspecting_count": plan.self_inspecting_units().count(),
        "status_counts": [(label, status_counts.get(value, 0)) for value, label in Inspection.Status.choices],
        "visit_total": sum(status_counts.values()),
        "open_warning_count": sum(1 for v in visits if v.has_open_warnings),
        "areas": plan.areas.annotate(
            criteria_count=Count("criteria", filter=Q(criteria__is_active=True)),
        ).order_by("number"),
        "can_manage": can_manage(request.user) and not plan.is_read_only,
        "next_statuses": [InspectionPlan.Status(s) for s in services.ALLOWED_STATUS_CHANGES[plan.status]],
        "next_year_exists": InspectionPlan.objects.filter(year=plan.year + 1).exists(),
        "figure_count": plan.figures.count(),
        "can_history": can_manage(request.user),
        "is_coordinator": can_manage(request.user),
    }
    return render(request, "inspections/plan_detail.html", context)


@require_http_methods(["GET", "POST"])
def plan_edit(request, pk):
    plan = get_plan_for(request.user, pk, write=True)
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Đã lưu kế hoạch."))
        return redirect(plan)
    return render(request, "inspections/plan_form.html", {"form": form, "plan": plan})


@require_POST
def plan_status(request, pk):
    plan = get_plan_for(request.user, pk, write=True)
    try:
        services.plan_set_status(plan=plan, status=request.POST.get("status", ""))
    except (ValidationError, ValueError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [_("Trạng thái không hợp lệ.")])))
    else:
        messages.success(request, _("Kế hoạch chuyển sang: %(status)s.") % {"status": plan.get_status_display()})
    return redirect(plan)


@require_POST
def plan_copy(request, pk):
    plan = get_plan_for(request.user, pk)
    if not can_manage(request.user):
        raise PermissionDenied
    try:
        new = services.plan_copy_to_next_year(plan=plan)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(plan)
    messages.success(request, _("Đã tạo dự thảo kế hoạch năm %(year)s từ kế hoạch này.") % {"year": new.year})
    return redirect(new)


@require_http_methods(["GET", "POST"])
def plan_units(request, pk):
    plan = get_plan_for(request.user, pk, write=request.method == "POST")
    editable = can_manage(request.user) and not plan.is_read_only
    form = PlanUnitsForm(request.POST or None, plan=plan, initial={"units": plan.directly_inspected_units.all()})
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_set_direct_units(plan=plan, units=form.cleaned_data["units"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Đã lưu danh sách đơn vị kiểm tra trực tiếp."))
            return redirect("inspections:plan_units", pk=plan.pk)
    return render(
        request,
        "inspections/plan_units.html",
        {
            "plan": plan,
            "form": form,
            "editable": editable,
            "direct_units": plan.directly_inspected_units.in_registry_order(),
            "self_inspecting": plan.self_inspecting_units(),
        },
    )


# --- Content areas and criteria ---------------------------------------------------------------


@require_GET
def plan_areas(request, pk):
    plan = get_plan_for(request.user, pk)
    areas = plan.areas.prefetch_related(
        Prefetch(
            "criteria", queryset=Criterion.objects.annotate(finding_count=Count("findings")).order_by("order", "pk")
        )
    )
    return render(
        request,
        "inspections/plan_areas.html",
        {"plan": plan, "areas": areas, "editable": can_manage(request.user) and not plan.is_read_only},
    )


@require_http_methods(["GET", "POST"])
def criterion_create(request, area_pk):
    area = get_object_or_404(ContentArea.objects.select_related("plan"), pk=area_pk)
    plan = get_plan_for(request.user, area.plan_id, write=True)
    form = CriterionForm(request.POST or None, initial={"order": area.criteria.count() + 1})
    if request.method == "POST" and form.is_valid():
        criterion = form.save(commit=False)
        criterion.area = area
        criterion.save()
        messages.success(request, _("Đã thêm tiêu chí."))
        return redirect(_areas_url(area))
    return render(request, "inspections/criterion_form.html", {"form": form, "area": area, "plan": plan})


def _areas_url(area: ContentArea) -> str:
    return reverse("inspections:plan_areas", args=[area.plan_id]) + f"#area-{area.number}"


def _criterion_for(user, pk, *, write=False) -> Criterion:
    criterion = get_object_or_404(Criterion.objects.select_related("area__plan"), pk=pk)
    get_plan_for(user, criterion.area.plan_id, write=write)
    return criterion


@require_http_methods(["GET", "POST"])
def criterion_edit(request, pk):
    criterion = _criterion_for(request.user, pk, write=True)
    form = CriterionForm(request.POST or None, instance=criterion)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Đã lưu tiêu chí."))
        return redirect(
            reverse("inspections:plan_areas", args=[criterion.area.plan_id]) + f"#area-{criterion.area.number}"
        )
    return render(
        request,
        "inspections/criterion_form.html",
        {"form": form, "area": criterion.area, "plan": criterion.area.plan, "criterion": criterion},
    )


@require_POST
def criterion_retire(request, pk):
    criterion = _criterion_for(request.user, pk, write=True)
    criterion.is_active = not criterion.is_active
    criterion.save(update_fields=["is_active"])
    if criterion.is_active:
        messages.success(request, _("Đã dùng lại tiêu chí."))
    else:
        messages.success(request, _("Đã ngừng dùng tiêu chí; các kết quả đã ghi vẫn giữ nguyên."))
    return redirect(_areas_url(criterion.area))


@require_POST
def criterion_delete(request, pk):
    criterion = _criterion_for(request.user, pk, write=True)
    target = _areas_url(criterion.area)
    try:
        services.criterion_delete(criterion=criterion)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã xóa tiêu chí."))
    return redirect(target)


# --- The team --------------------------------------------------------------------------------


@require_GET
def team_detail(request, pk):
    plan = get_plan_for(request.user, pk)
    team = plan.team
    members = sorted(
        team.members.select_related("user", "agency").annotate(visit_count=Count("inspections")),
        key=lambda m: (TeamMember.ROLE_ORDER.index(m.role), m.pk),
    )
    return render(
        request,
        "inspections/team_detail.html",
        {
            "plan": plan,
            "team": team,
            "members": members,
            "lead_count": sum(1 for m in members if m.role == TeamMember.Role.LEAD),
            "editable": can_manage(request.user) and not plan.is_read_only,
        },
    )


@require_http_methods(["GET", "POST"])
def team_edit(request, pk):
    plan = get_plan_for(request.user, pk, write=True)
    form = TeamForm(request.POST or None, instance=plan.team)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Đã lưu quyết định thành lập đoàn."))
        return redirect("inspections:team_detail", pk=plan.pk)
    return render(request, "inspections/team_form.html", {"form": form, "plan": plan})


@require_http_methods(["GET", "POST"])
def member_create(request, pk):
    plan = get_plan_for(request.user, pk, write=True)
    form = TeamMemberForm(request.POST or None, team=plan.team)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Đã thêm thành viên đoàn."))
        return redirect("inspections:team_detail", pk=plan.pk)
    return render(request, "inspections/member_form.html", {"form": form, "plan": plan})


def _member_for(user, pk, *, write=False) -> TeamMember:
    member = get_object_or_404(TeamMember.objects.select_related("team__plan", "user"), pk=pk)
    get_plan_for(user, member.team.plan_id, write=write)
    return member


@require_http_methods(["GET", "POST"])
def member_edit(request, pk):
    member = _member_for(request.user, pk, write=True)
    form = TeamMemberForm(request.POST or None, instance=member, team=member.team)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Đã lưu thành viên đoàn."))
        return redirect("inspections:team_detail", pk=member.team.plan_id)
    return render(request, "inspections/member_form.html", {"form": form, "plan": member.team.plan, "member": member})


@require_POST
def member_delete(request, pk):
    member = _member_for(request.user, pk, write=True)
    try:
        services.team_member_delete(member=member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã xóa thành viên khỏi đoàn."))
    return redirect("inspections:team_detail", pk=member.team.plan_id)


# --- The schedule ----------------------------------------------------------------------------


SCHEDULE_PER_PAGE = 50


def _visible_visits(user, plan):
    return (
        inspections_for(user)
        .filter(plan=plan)
        .select_related("unit", "plan")
        .prefetch_related(Prefetch("members", queryset=TeamMember.objects.select_related("user")))
    )


@require_GET
def schedule(request, pk):
    plan = get_plan_for(request.user, pk)
    filters = InspectionFilterForm(request.GET or None)
    visits = _visible_visits(request.user, plan)
    only_warnings = False
    if filters.is_valid():
        if filters.cleaned_data["status"]:
            visits = visits.filter(status=filters.cleaned_data["status"])
        if filters.cleaned_data["kind"]:
            visits = visits.filter(unit__kind=filters.cleaned_data["kind"])
        only_warnings = filters.cleaned_data["warnings"]
    if only_warnings:
        # Warnings are worked out, not stored: every visit is read (without its team) to keep those with one.
        flagged = [
            visit.pk
            for visit in visits.prefetch_related(None)
            if visit.warnings_acknowledged_at is None and visit.schedule_warnings()
        ]
        visits = visits.filter(pk__in=flagged)
    page = Paginator(visits, SCHEDULE_PER_PAGE).get_page(request.GET.get("page"))
    rows = [(visit, visit.schedule_warnings() if visit.warnings_acknowledged_at is None else []) for visit in page]
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "inspections/schedule.html",
        {
            "plan": plan,
            "rows": rows,
            "page": page,
            "querystring": querystring.urlencode(),
            "filters": filters,
            "can_schedule": can_manage(request.user) and not plan.is_read_only,
        },
    )


@require_GET
def schedule_calendar(request, pk):
    plan = get_plan_for(request.user, pk)
    try:
        month = datetime.datetime.strptime(request.GET.get("thang", ""), "%Y-%m").date()
    except ValueError:
        month = None
    if month is None or abs(month.year - plan.year) > 1:
        month = plan.window_start.replace(day=1)
    first = month.replace(day=1)
    after = (first + datetime.timedelta(days=32)).replace(day=1)
    visits = _visible_visits(request.user, plan).filter(date__gte=first - datetime.timedelta(days=7))
    visits = visits.filter(date__lt=after + datetime.timedelta(days=7))
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    return render(
        request,
        "inspections/schedule_calendar.html",
        {
            "plan": plan,
            "month": first,
            "weeks": month_weeks(first.year, first.month, visits),
            "previous": previous,
            "next": after,
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
def inspection_create(request, pk):
    plan = get_plan_for(request.user, pk, write=True)
    form = InspectionForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services.inspection_schedule(
                plan=plan,
                unit=form.cleaned_data["unit"],
                date=form.cleaned_data["date"],
                start_time=form.cleaned_data["start_time"],
                end_time=form.cleaned_data["end_time"],
                place=form.cleaned_data["place"],
                members=form.cleaned_data["members"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Đã xếp lịch kiểm tra %(unit)s.") % {"unit": inspection.unit})
            for warning in inspection.schedule_warnings():
                messages.warning(request, warning)
            return redirect(inspection)
    return render(request, "inspections/inspection_form.html", {"form": form, "plan": plan})


@require_GET
def inspection_detail(request, pk):
    inspection = get_inspection_for(request.user, pk)
    members = inspection.members.select_related("user", "agency")
    return render(
        request,
        "inspections/inspection_detail.html",
        {
            "inspection": inspection,
            "plan": inspection.plan,
            "members": sorted(members, key=lambda m: (TeamMember.ROLE_ORDER.index(m.role), m.pk)),
            "warnings": inspection.schedule_warnings(),
            "reschedules": inspection.reschedules.select_related("changed_by"),
            "notices": inspection.notices.select_related("sent_by", "reschedule"),
            "can_manage": can_manage(request.user) and not inspection.plan.is_read_only,
            "can_read_plan": plans_for(request.user).filter(pk=inspection.plan_id).exists(),
            "can_see_findings": can_see_visit_findings(request.user, inspection),
            "can_history": can_manage(request.user),
            "can_download_dossier": can_read_dossier(request.user, inspection),
            "can_see_conclusion": is_province_wide(request.user)
            or ConclusionRevision.objects.filter(conclusion__inspection=inspection).exists(),
        },
    )


@require_http_methods(["GET", "POST"])
def inspection_edit(request, pk):
    inspection = get_inspection_for(request.user, pk, write=True)
    form = InspectionEditForm(request.POST or None, instance=inspection)
    if request.method == "POST" and form.is_valid():
        try:
            services.inspection_update(
                inspection=inspection,
                place=form.cleaned_data["place"],
                members=form.cleaned_data["members"],
                status=form.cleaned_data["status"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Đã lưu buổi kiểm tra."))
            return redirect(inspection)
    return render(request, "inspections/inspection_edit.html", {"form": form, "inspection": inspection})


@require_http_methods(["GET", "POST"])
def inspection_reschedule(request, pk):
    inspection = get_inspection_for(request.user, pk, write=True)
    initial = {
        "date": inspection.date,
        "start_time": inspection.start_time,
        "end_time": inspection.end_time,
        "place": inspection.place,
    }
    form = RescheduleForm(request.POST or None, initial=initial, inspection=inspection)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            change = services.inspection_reschedule(
                inspection=inspection,
                date=data["date"],
                start_time=data["start_time"],
                end_time=data["end_time"],
                place=data["place"],
                reason=data["reason"],
                user=request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Đã đổi lịch kiểm tra; lịch cũ được lưu lại."))
            if data["send_notice"]:
                notice = services.notice_send(inspection=inspection, user=request.user, reschedule=change)
                _report_notice(request, notice)
            for warning in inspection.schedule_warnings():
                messages.warning(request, warning)
            return redirect(inspection)
    return render(request, "inspections/inspection_reschedule.html", {"form": form, "inspection": inspection})


@require_POST
def inspection_acknowledge(request, pk):
    inspection = get_inspection_for(request.user, pk, write=True)
    services.inspection_acknowledge_warnings(inspection=inspection, user=request.user)
    messages.success(request, _("Đã xác nhận các cảnh báo của lịch này."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = inspection.get_absolute_url()
    return redirect(target)


# --- Notices ---------------------------------------------------------------------------------


@require_GET
def notice_preview(request, pk):
    inspection = get_inspection_for(request.user, pk)
    pdf = schedule_notice_pdf(inspection)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="thong-bao-lich-kiem-tra-{inspection.plan.year}-{inspection.unit.code}.pdf"'
    )
    return response


@require_POST
def notice_send(request, pk):
    inspection = get_inspection_for(request.user, pk, write=True)
    notice = services.notice_send(inspection=inspection, user=request.user)
    _report_notice(request, notice)
    return redirect(inspection)


def _report_notice(request, notice):
    count = len(notice.recipients.split()) if notice.recipients else 0
    if count:
        messages.success(request, _("Đã gửi thông báo tới %(count)s địa chỉ thư điện tử.") % {"count": count})
    else:
        messages.warning(
            request, _("Đã lập thông báo nhưng chưa gửi được: đơn vị và thành viên đoàn chưa có địa chỉ thư.")
        )


@require_GET
def notice_download(request, pk, notice_pk):
    inspection = get_inspection_for(request.user, pk)
    notice = get_object_or_404(inspection.notices, pk=notice_pk)
    return FileResponse(
        notice.pdf.open("rb"),
        as_attachment=True,
        filename=f"thong-bao-{notice.kind}-{inspection.plan.year}-{inspection.unit.code}-{notice.pk}.pdf",
        content_type="application/pdf",
    )


# --- Calendar feeds --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def my_calendar(request):
    token, _created = CalendarToken.objects.get_or_create(user=request.user)
    if request.method == "POST":
        token.delete()
        token = CalendarToken.objects.create(user=request.user)
        messages.success(request, _("Đã tạo địa chỉ lịch mới; địa chỉ cũ không còn dùng được."))
        return redirect("inspections:my_calendar")
    feeds = []
    if request.user.team_memberships.exists():
        feeds.append((_("Các buổi kiểm tra tôi tham gia"), "inspections:feed_member"))
    if request.user.unit_id:
        feeds.append((_("Lịch kiểm tra của đơn vị tôi"), "inspections:feed_unit"))
    return render(
        request,
        "inspections/my_calendar.html",
        {
            "feeds": [(label, request.build_absolute_uri(reverse(name, args=[token.token]))) for label, name in feeds],
        },
    )


def _feed_user(token: str):
    found = CalendarToken.objects.select_related("user").filter(token=token).first()
    if found is None or not found.user.is_active:
        raise Http404
    return found.user


def _ics_response(inspections, name):
    inspections = inspections.select_related("unit", "plan").prefetch_related("members__user")
    response = HttpResponse(inspections_ics(inspections, name=name), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="lich-kiem-tra.ics"'
    return response


@login_not_required
@require_GET
def feed_member(request, token):
    user = _feed_user(token)
    visits = Inspection.objects.filter(members__user=user).distinct()
    return _ics_response(visits, _("Lịch kiểm tra CCHC của %(name)s") % {"name": user.get_full_name() or user})


@login_not_required
@require_GET
def feed_unit(request, token):
    user = _feed_user(token)
    if not user.unit_id:
        raise Http404
    visits = Inspection.objects.filter(unit_id=user.unit_id)
    return _ics_response(visits, _("Lịch kiểm tra CCHC - %(unit)s") % {"unit": user.unit.short_name})
