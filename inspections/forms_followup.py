"""Forms of the follow-up pages: the conclusion and remediation."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cchc_inspection.widgets import LongSelect
from inspections.forms import DATE_ATTRS, MultipleFileField
from inspections.models import Conclusion, Finding, InspectionPlan, RemediationAction, RemediationReview
from inspections.uploads import check_file_count, check_upload
from units.models import Unit

AREA_FIELDS = ("strengths", "shortcomings", "causes")
AREA_LABELS = {"strengths": _("Ưu điểm"), "shortcomings": _("Tồn tại, hạn chế"), "causes": _("Nguyên nhân")}
TEXT_MAX = 20000


def _textarea(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ConclusionForm(forms.Form):
    """The general assessment and, per content area, its three summaries (fields built from the areas)."""

    general_assessment = forms.CharField(
        label=_("Đánh giá chung"), widget=_textarea(6), required=False, max_length=TEXT_MAX
    )
    # The version the form was opened at: a save over someone else's newer one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, conclusion: Conclusion, summaries, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("general_assessment", conclusion.general_assessment)
        self.initial.setdefault("version", conclusion.version)
        self.summaries = list(summaries)
        for summary in self.summaries:
            for field in AREA_FIELDS:
                name = self.field_name(summary, field)
                self.fields[name] = forms.CharField(
                    label=AREA_LABELS[field], widget=_textarea(4), required=False, max_length=TEXT_MAX
                )
                self.initial.setdefault(name, getattr(summary, field))

    @staticmethod
    def field_name(summary, field: str) -> str:
        return f"area_{summary.pk}_{field}"

    def area_rows(self):
        """(summary, [bound fields]) per content area, for the template."""
        return [(s, [self[self.field_name(s, f)] for f in AREA_FIELDS]) for s in self.summaries]

    def areas_data(self) -> dict:
        """What services.conclusion_save takes: {summary pk: {field: text}}."""
        return {s.pk: {f: self.cleaned_data[self.field_name(s, f)] for f in AREA_FIELDS} for s in self.summaries}


class ActionForm(forms.Form):
    """A request of the conclusion: from one of the visit's shortcomings, or typed freely."""

    finding = forms.ModelChoiceField(queryset=Finding.objects.none(), required=False, widget=forms.HiddenInput)
    text = forms.CharField(label=_("Yêu cầu khắc phục"), widget=_textarea(3), required=False, max_length=5000)
    deadline = forms.DateField(
        label=_("Hạn hoàn thành"),
        required=False,
        widget=forms.DateInput(attrs=DATE_ATTRS),
        help_text=_("Để trống: theo hạn báo cáo khắc phục của kế hoạch."),
    )

    def __init__(self, *args, shortcomings, plan: InspectionPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("deadline", plan.remediation_deadline)
        self.fields["finding"].queryset = shortcomings
        self.fields["finding"].error_messages["invalid_choice"] = _(
            "Chỉ tạo yêu cầu khắc phục từ tồn tại, hạn chế của buổi kiểm tra này."
        )

    def clean(self):
        cleaned = super().clean()
        if "finding" not in self.errors and not cleaned.get("finding") and not (cleaned.get("text") or "").strip():
            self.add_error("text", _("Nhập nội dung yêu cầu khắc phục."))
        return cleaned


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do mở lại"),
        widget=_textarea(3),
        max_length=5000,
        error_messages={"required": _("Nhập lý do mở lại kết luận.")},
    )


class OptionalMultipleFileField(MultipleFileField):
    """Evidence files: none is fine; each one sent must pass the upload checks."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files:
            return []
        return super().clean(files, initial)


class RemediationReportForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(
        label=_("Kết quả khắc phục"),
        widget=_textarea(5),
        max_length=TEXT_MAX,
        error_messages={"required": _("Nhập kết quả khắc phục.")},
    )
    files = OptionalMultipleFileField(
        label=_("Tệp minh chứng (PDF, DOCX hoặc XLSX)"),
        help_text=_("Không bắt buộc; có thể chọn nhiều tệp."),
    )

    def clean_files(self):
        # Checked before the report is written, so that one refused file stores nothing at all,
        # not even a file on disk (the service checks again and is atomic for the rows).
        files = self.cleaned_data["files"]
        check_file_count(files)
        problems = []
        for uploaded in files:
            try:
                check_upload(uploaded)
            except ValidationError as error:
                problems.append(f"{uploaded.name[:100]}: {' '.join(error.messages)}")
        if problems:
            raise ValidationError(problems)
        return files


class RemediationReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    decision = forms.ChoiceField(
        label=_("Kết quả thẩm định"), choices=RemediationReview.Decision.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Nhận xét"),
        widget=_textarea(3),
        required=False,
        max_length=5000,
        help_text=_("Bắt buộc khi yêu cầu bổ sung: đơn vị sẽ thấy nhận xét này."),
    )


class RemediationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Trạng thái"), choices=[("", _("Tất cả"))] + RemediationAction.Status.choices, required=False
    )
    overdue = forms.BooleanField(label=_("Chỉ yêu cầu quá hạn"), required=False)
    plan = forms.ModelChoiceField(
        label=_("Kế hoạch năm"), queryset=InspectionPlan.objects.none(), required=False, empty_label=_("Tất cả")
    )
    unit = forms.ModelChoiceField(
        label=_("Đơn vị"), queryset=Unit.objects.none(), required=False, empty_label=_("Tất cả"), widget=LongSelect
    )

    def __init__(self, *args, actions, with_units: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = InspectionPlan.objects.filter(
            pk__in=actions.values("conclusion__inspection__plan_id")
        ).order_by("-year")
        self.fields["plan"].label_from_instance = lambda plan: str(plan.year)
        if with_units:
            self.fields["unit"].queryset = Unit.objects.filter(pk__in=actions.values("unit_id")).in_registry_order()
            self.fields["unit"].label_from_instance = lambda unit: unit.short_name
        else:
            del self.fields["unit"]
