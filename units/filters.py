import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from cchc_inspection.widgets import LongSelect
from units.access import units_for
from units.models import Unit, fold_text


class UnitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Tìm theo tên"),
        method="filter_name",
        widget=forms.TextInput(attrs={"placeholder": _("Ví dụ: binh luc")}),
    )
    kind = django_filters.ChoiceFilter(label=_("Loại đơn vị"), choices=Unit.Kind.choices, empty_label=_("Tất cả"))
    parent = django_filters.ModelChoiceFilter(
        label=_("Thuộc"),
        queryset=lambda request: units_for(request.user).filter(kind__in=[Unit.Kind.DEPARTMENT, Unit.Kind.DISTRICT]),
        empty_label=_("Tất cả"),
        widget=LongSelect,
    )
    is_active = django_filters.BooleanFilter(
        label=_("Trạng thái"),
        widget=forms.Select(
            choices=[("", _("Tất cả")), ("true", _("Đang hoạt động")), ("false", _("Ngừng hoạt động"))]
        ),
    )

    class Meta:
        model = Unit
        fields = ["q", "kind", "parent", "is_active"]

    def filter_name(self, queryset, name, value):
        # Every word must appear, accents and case ignored: "binh luc" finds "Bình Lục".
        for word in fold_text(value).split():
            queryset = queryset.filter(search_text__contains=word)
        return queryset
