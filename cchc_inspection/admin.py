from functools import update_wrapper

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class CchcAdminSite(admin.AdminSite):
    """The Django admin, for coordinators (staff) only.

    A signed-in user without admin rights gets 403 instead of Django's second login form, and
    anonymous users go to the app's one login page (Vietnamese, rate-limited by django-axes).
    """

    site_header = _("Quản trị hệ thống kiểm tra CCHC")
    site_title = _("Quản trị CCHC")
    index_title = _("Quản trị dữ liệu")

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return update_wrapper(wrapper, inner)

    def login(self, request, extra_context=None):
        if request.user.is_authenticated and not self.has_permission(request):
            raise PermissionDenied
        return redirect_to_login(request.GET.get("next") or reverse("admin:index", current_app=self.name))
