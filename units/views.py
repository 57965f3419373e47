from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from inspections.access import actions_for, inspections_for
from inspections.models import Inspection
from inspections.services import remediation_counts, unit_duties
from units.access import get_unit_for, units_for
from units.filters import UnitFilter
from units.models import Unit
from units.roles import Role, has_role, is_province_wide, role_has_perm, user_roles

UNITS_PER_PAGE = 50


def _with_children_count(units):
    """Each unit's number of children, counted by a subquery per row rather than a join and GROUP BY:
    counting and paging 20,000 units then needs neither (a national registry; bench/run, 3a)."""
    children = Unit.objects.filter(parent=OuterRef("pk")).order_by().values("parent").annotate(n=Count("pk"))
    return units.annotate(children_count=Coalesce(Subquery(children.values("n")), 0))


@require_GET
def home(request):
    user = request.user
    context = {"roles": [Role(r) for r in user_roles(user) if r in Role.values]}
    if is_province_wide(user):
        counts = dict(
            Unit.objects.filter(is_active=True).values_list("kind").annotate(n=Count("pk")).values_list("kind", "n")
        )
        context["unit_counts"] = [(Unit.Kind(kind).label, counts.get(kind, 0)) for kind in Unit.Kind.values]
    if user.unit_id:
        context["own_unit"] = get_unit_for(user, user.unit_id)
        if has_role(user, Role.UNIT_STAFF):
            context["duties"] = unit_duties(context["own_unit"])
            context["remediation"] = remediation_counts(actions_for(user))
            context["today"] = timezone.localdate()
    if not has_role(user, Role.COORDINATOR, Role.LEADERSHIP):
        # The visits this user goes on or receives, soonest first.
        context["my_visits"] = (
            inspections_for(user)
            .exclude(status=Inspection.Status.CANCELLED)
            .select_related("unit", "plan")
            .order_by("-plan__year", "date", "start_time")[:10]
        )
    return render(request, "units/home.html", context)


@require_GET
def unit_list(request):
    units = _with_children_count(units_for(request.user).select_related("parent")).in_registry_order()
    unit_filter = UnitFilter(request.GET, queryset=units, request=request)
    page = Paginator(unit_filter.qs, UNITS_PER_PAGE).get_page(request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "units/unit_list.html",
        {"filter": unit_filter, "page": page, "querystring": querystring.urlencode()},
    )


@require_GET
def unit_detail(request, pk):
    unit = get_unit_for(request.user, pk)
    children = _with_children_count(units_for(request.user).filter(parent=unit)).in_registry_order()
    return render(
        request,
        "units/unit_detail.html",
        {
            "unit": unit,
            "children": children,
            "can_change": role_has_perm(request.user, "units.change_unit"),
        },
    )
