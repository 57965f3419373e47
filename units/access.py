"""Who may see which units. Every view reaches units through these functions."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from units.models import Unit
from units.roles import is_province_wide, role_has_perm


def units_for(user):
    """Units `user` may see: all for province-wide roles; otherwise the user's unit and below
    (a district sees its communes and divisions; a department its divisions)."""
    if is_province_wide(user):
        return Unit.objects.all()
    if user.is_authenticated and user.unit_id:
        uid = user.unit_id
        return Unit.objects.filter(Q(pk=uid) | Q(parent_id=uid) | Q(parent__parent_id=uid))
    return Unit.objects.none()


def get_unit_for(user, pk, *, write=False) -> Unit:
    """The unit `pk` if `user` may see it (404 otherwise); 403 when `write` and they may not change it."""
    unit = get_object_or_404(units_for(user).select_related("parent"), pk=pk)
    if write and not role_has_perm(user, "units.change_unit"):
        raise PermissionDenied
    return unit
