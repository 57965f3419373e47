from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.utils.translation import gettext_lazy as _

from units.models import Unit, User
from units.roles import Role


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "parent", "code", "is_active", "sort_order"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "code", "search_text"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    ordering = ["kind", "sort_order", "name"]

    def get_search_results(self, request, queryset, search_term):
        from units.models import fold_text

        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        folded = fold_text(search_term)
        if folded:
            queryset |= self.model.objects.filter(search_text__contains=folded)
        return queryset, may_have_duplicates


class CchcUserChangeForm(UserChangeForm):
    def clean(self):
        cleaned = super().clean()
        groups = cleaned.get("groups")
        is_unit_staff = groups is not None and groups.filter(name=Role.UNIT_STAFF).exists()
        if is_unit_staff and not cleaned.get("unit"):
            raise forms.ValidationError(_("Cán bộ đơn vị phải thuộc một đơn vị."))
        return cleaned


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = CchcUserChangeForm
    list_display = ["username", "get_full_name", "unit", "is_active", "is_staff", "last_login"]
    list_filter = ["groups", "is_active", "is_staff"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]
    search_fields = ["username", "first_name", "last_name", "email", "unit__name"]
    fieldsets = DjangoUserAdmin.fieldsets + ((_("Đơn vị"), {"fields": ("unit", "position", "phone")}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + ((_("Đơn vị"), {"fields": ("unit",)}),)
