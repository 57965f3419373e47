import functools

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

from units.roles import is_province_wide

# The layout's links (base.html): the same for every request, so worked out once per URL prefix.
LAYOUT_URLS = ["home", "password_change", "logout", "set_language"]


@functools.lru_cache(maxsize=32)
def _urls(urlconf, prefix: str) -> dict[str, str]:
    """The URLs of the menu and the layout by name. reverse() costs about 15 µs each; base.html needs
    up to eleven on every page (bench/run, issue 8 point 3a: the layout beside the floor)."""
    names = [
        *LAYOUT_URLS,
        "reports:dashboard_latest",
        "inspections:plan_list",
        "units:list",
        "inspections:remediation_list",
        "inspections:my_calendar",
        "admin:index",
    ]
    return {name: reverse(name, urlconf=urlconf) for name in names}


def navigation(request):
    """The menu items the signed-in user may use (every page also checks access itself), and the
    layout's own links (`layout_urls`)."""
    urls = _urls(get_urlconf(), get_script_prefix())
    layout_urls = {name: urls[name] for name in LAYOUT_URLS}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "layout_urls": layout_urls}
    items = [(_("Trang chủ"), urls["home"], "home")]
    if is_province_wide(user):
        items.append((_("Tổng quan"), urls["reports:dashboard_latest"], "reports"))
        items.append((_("Kế hoạch"), urls["inspections:plan_list"], "inspections"))
        items.append((_("Đơn vị"), urls["units:list"], "units"))
    elif user.unit_id:
        items.append((_("Đơn vị của tôi"), reverse("units:detail", args=[user.unit_id]), "units"))
    items.append((_("Khắc phục"), urls["inspections:remediation_list"], "remediation"))
    items.append((_("Lịch của tôi"), urls["inspections:my_calendar"], "calendar"))
    if user.is_staff:
        items.append((_("Quản trị"), urls["admin:index"], "admin"))
    match = getattr(request, "resolver_match", None)
    active = (match.namespace or match.url_name) if match else None
    if match and match.url_name == "my_calendar":
        active = "calendar"
    elif match and match.url_name and match.url_name.startswith("remediation"):
        active = "remediation"
    return {"nav_items": items, "nav_active": active, "layout_urls": layout_urls}
