"""Who may see and change plans and visits. Every view reaches them through these functions."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from inspections.models import Inspection, InspectionPlan
from units.roles import Role, has_role, is_province_wide


def can_manage(user) -> bool:
    """Coordinators create and change plans, teams and visits."""
    return user.has_perm("inspections.change_inspectionplan")


def plans_for(user):
    """Plans are read by coordinators, inspectors and leadership; unit staff use their own pages."""
    if is_province_wide(user):
        return InspectionPlan.objects.all()
    return InspectionPlan.objects.none()


def get_plan_for(user, pk, *, write=False) -> InspectionPlan:
    plan = get_object_or_404(plans_for(user), pk=pk)
    if write:
        _check_write(user, plan)
    return plan


def inspections_for(user):
    """Coordinators and leadership: every visit; an inspector: the visits they go on;
    a unit's staff: their own unit's visit."""
    if not user.is_authenticated:
        return Inspection.objects.none()
    if user.is_superuser or has_role(user, Role.COORDINATOR, Role.LEADERSHIP):
        return Inspection.objects.all()
    visible = Inspection.objects.none()
    if has_role(user, Role.INSPECTOR):
        visible = visible | Inspection.objects.filter(
            pk__in=Inspection.members.through.objects.filter(teammember__user=user).values("inspection_id")
        )
    if user.unit_id:
        visible = visible | Inspection.objects.filter(unit_id=user.unit_id)
    return visible


def get_inspection_for(user, pk, *, write=False) -> Inspection:
    inspection = get_object_or_404(inspections_for(user).select_related("plan", "unit"), pk=pk)
    if write:
        _check_write(user, inspection.plan)
    return inspection


def _check_write(user, plan: InspectionPlan) -> None:
    if not can_manage(user):
        raise PermissionDenied
    if plan.is_read_only:
        raise PermissionDenied(_("Kế hoạch đã kết thúc: chỉ xem, không sửa."))
