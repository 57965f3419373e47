"""Who may see and change plans and visits. Every view reaches them through these functions."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from inspections.models import Inspection, InspectionPlan, TeamMember
from units.roles import Role, has_role, is_province_wide, role_has_perm


def can_manage(user) -> bool:
    """Coordinators create and change plans, teams and visits."""
    return role_has_perm(user, "inspections.change_inspectionplan")


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
    """Coordinators and leadership: every visit; an inspector: the visits they go on, and every
    visit of a plan whose team they lead (the lead signs every conclusion, going or not);
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
        visible = visible | Inspection.objects.filter(
            plan_id__in=TeamMember.objects.filter(user=user, role=TeamMember.Role.LEAD).values("team__plan_id")
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


def submissions_for(user):
    """Files units sent: coordinators and leadership read all; an inspector, those of visits they
    can open and every self-inspection file (they read every unit's self-inspection page); a unit's
    staff, their own unit's, and (read-only) the self-inspection files of units below."""
    from inspections.models import Submission

    if not user.is_authenticated:
        return Submission.objects.none()
    if user.is_superuser or has_role(user, Role.COORDINATOR, Role.LEADERSHIP):
        return Submission.objects.all()
    visible = Submission.objects.none()
    self_inspection_kinds = [Submission.Kind.SELF_INSPECTION_PLAN, Submission.Kind.SELF_INSPECTION_REPORT]
    if has_role(user, Role.INSPECTOR):
        visible = visible | Submission.objects.filter(inspection__in=inspections_for(user))
        visible = visible | Submission.objects.filter(kind__in=self_inspection_kinds)
    if user.unit_id:
        visible = visible | Submission.objects.filter(unit_id=user.unit_id)
        visible = visible | Submission.objects.filter(unit__parent_id=user.unit_id, kind__in=self_inspection_kinds)
    return visible


def get_submission_for(user, pk):
    return get_object_or_404(submissions_for(user).select_related("unit", "plan"), pk=pk)


def is_unit_staff_of(user, unit) -> bool:
    """Only a unit's own staff send its files and figures."""
    return user.is_authenticated and user.unit_id == unit.pk and has_role(user, Role.UNIT_STAFF)


def get_self_inspection_unit_for(user, plan, unit_pk, *, write=False):
    """The unit whose self-inspection `user` opens: province-wide roles any; unit staff their own
    (and, read-only, the units below theirs). 404 outside that, 403 for a write they may not do."""
    from units.access import units_for
    from units.models import Unit

    if is_province_wide(user):
        unit = get_object_or_404(Unit, pk=unit_pk)
    else:
        unit = get_object_or_404(units_for(user), pk=unit_pk)
    if write:
        if not is_unit_staff_of(user, unit):
            raise PermissionDenied
        if plan.is_read_only:
            raise PermissionDenied(_("Kế hoạch đã kết thúc: chỉ xem, không sửa."))
    return unit


def actions_for(user):
    """Remediation actions: coordinators and leadership all; an inspector, those of visits they went
    on; a unit's staff, their own unit's once the conclusion is issued."""
    from inspections.models import Conclusion, RemediationAction

    if not user.is_authenticated:
        return RemediationAction.objects.none()
    if user.is_superuser or has_role(user, Role.COORDINATOR, Role.LEADERSHIP):
        return RemediationAction.objects.all()
    visible = RemediationAction.objects.none()
    if has_role(user, Role.INSPECTOR):
        visible = visible | RemediationAction.objects.filter(conclusion__inspection__in=inspections_for(user))
    if user.unit_id:
        visible = visible | RemediationAction.objects.filter(
            unit_id=user.unit_id, conclusion__status=Conclusion.Status.ISSUED
        )
    return visible


def get_action_for(user, pk, *, report=False, review=False):
    """One action; 404 outside actions_for. `report`: only the unit's own staff; `review`: only
    coordinators (403 for the others who may see it)."""
    action = get_object_or_404(
        actions_for(user).select_related("unit", "conclusion__inspection__plan", "finding"), pk=pk
    )
    if report and not is_unit_staff_of(user, action.unit):
        raise PermissionDenied
    if review and not can_manage(user):
        raise PermissionDenied
    if (report or review) and action.conclusion.inspection.plan.is_read_only:
        raise PermissionDenied(_("Kế hoạch đã kết thúc: chỉ xem, không sửa."))
    return action


def can_see_visit_findings(user, inspection) -> bool:
    """Findings of a visit: its readers, but a unit's staff only once the conclusion is issued."""
    from inspections.models import Conclusion

    if not inspections_for(user).filter(pk=inspection.pk).exists():
        return False
    if user.unit_id == inspection.unit_id and not (
        user.is_superuser or has_role(user, Role.COORDINATOR, Role.LEADERSHIP, Role.INSPECTOR)
    ):
        return Conclusion.objects.filter(inspection=inspection, status=Conclusion.Status.ISSUED).exists()
    return True


def get_evidence_for(user, pk):
    """An evidence file, visible to whoever may see the finding or remediation report it backs."""
    from inspections.models import EvidenceFile

    evidence = get_object_or_404(
        EvidenceFile.objects.select_related("finding__inspection", "remediation_report__action"), pk=pk
    )
    if evidence.finding_id:
        finding = evidence.finding
        if finding.inspection_id is None or not can_see_visit_findings(user, finding.inspection):
            raise Http404
    elif not actions_for(user).filter(pk=evidence.remediation_report.action_id).exists():
        raise Http404
    return evidence


def can_read_dossier(user, inspection) -> bool:
    """Coordinators and leadership, and the inspectors going on the visit; a unit's staff read
    their documents on their own pages."""
    if user.is_superuser or has_role(user, Role.COORDINATOR, Role.LEADERSHIP):
        return True
    return has_role(user, Role.INSPECTOR) and user.is_authenticated and inspection.members.filter(user=user).exists()
