from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from units.roles import is_province_wide


def navigation(request):
    """The menu items the signed-in user may use (every page also checks access itself)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [(_("Trang chủ"), reverse("home"), "home")]
    if is_province_wide(user):
        items.append((_("Tổng quan"), reverse("reports:dashboard_latest"), "reports"))
        items.append((_("Kế hoạch"), reverse("inspections:plan_list"), "inspections"))
        items.append((_("Đơn vị"), reverse("units:list"), "units"))
    elif user.unit_id:
        items.append((_("Đơn vị của tôi"), reverse("units:detail", args=[user.unit_id]), "units"))
    items.append((_("Khắc phục"), reverse("inspections:remediation_list"), "remediation"))
    items.append((_("Lịch của tôi"), reverse("inspections:my_calendar"), "calendar"))
    if user.is_staff:
        items.append((_("Quản trị"), reverse("admin:index"), "admin"))
    match = getattr(request, "resolver_match", None)
    active = (match.namespace or match.url_name) if match else None
    if match and match.url_name == "my_calendar":
        active = "calendar"
    elif match and match.url_name and match.url_name.startswith("remediation"):
        active = "remediation"
    return {"nav_items": items, "nav_active": active}
