from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from inspections.models import AppendixFigure, AppendixRule


@admin.register(AppendixFigure)
class AppendixFigureAdmin(admin.ModelAdmin):
    """Coordinators define the appendix figures of each plan here."""

    list_display = ["label", "code", "group", "order", "plan"]
    list_filter = ["plan"]
    list_editable = ["order"]
    search_fields = ["label", "code"]
    ordering = ["plan", "order"]

    def has_delete_permission(self, request, obj=None):
        # A figure that units already reported stays (PROTECT); one without values may go.
        if obj is not None and obj.values.exists():
            return False
        return super().has_delete_permission(request, obj)


class AppendixRuleForm(forms.ModelForm):
    class Meta:
        model = AppendixRule
        fields = ["plan", "parts", "total"]

    def clean(self):
        cleaned = super().clean()
        plan = cleaned.get("plan")
        if plan is None:
            return cleaned
        codes = set(plan.figures.values_list("code", flat=True))
        named = [c.strip() for c in cleaned.get("parts", "").split(",") if c.strip()] + [cleaned.get("total", "")]
        unknown = [c for c in named if c not in codes]
        if unknown:
            raise ValidationError(_("Mã chỉ tiêu không có trong kế hoạch: %(codes)s.") % {"codes": ", ".join(unknown)})
        return cleaned


@admin.register(AppendixRule)
class AppendixRuleAdmin(admin.ModelAdmin):
    form = AppendixRuleForm
    list_display = ["parts", "total", "plan"]
    list_filter = ["plan"]
