from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inspections.models import Criterion, Finding, Inspection, InspectionPlan, InspectionTeam, TeamMember
from inspections.services import check_schedule
from units.models import Unit


def add_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or on the form when the field is not there)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def keep_input_for_retry(form, error: ValidationError) -> None:
    """After a refusal for a stale version, keep what the user typed but move the form to the
    saved version, so saving again (after reading the message) is a deliberate choice."""
    current = getattr(error, "current_version", None)
    if current is not None:
        form.data = form.data.copy()
        form.data["version"] = current


DATE_ATTRS = {"placeholder": "dd/mm/yyyy", "autocomplete": "off"}
TIME_ATTRS = {"placeholder": "hh:mm", "autocomplete": "off"}


class PlanForm(forms.ModelForm):
    class Meta:
        model = InspectionPlan
        fields = [
            "year",
            "number",
            "symbol",
            "issue_date",
            "title",
            "issuing_body",
            "place",
            "window_start",
            "window_end",
            "report_lead_days",
            "paper_copies_required",
            "remediation_deadline",
            "min_remediation_days",
            "self_inspection_deadline",
            "district_min_ratio",
        ]
        widgets = {
            field: forms.DateInput(attrs=DATE_ATTRS)
            for field in [
                "issue_date",
                "window_start",
                "window_end",
                "remediation_deadline",
                "self_inspection_deadline",
            ]
        } | {"year": forms.NumberInput(attrs={"min": 2000, "max": 2100})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A year is a label, not a quantity: never "2.022".
        self.fields["year"].localize = False
        self.fields["year"].widget.is_localized = False
        if self.instance.pk:
            self.fields["year"].disabled = True


class PlanUnitsForm(forms.Form):
    units = forms.ModelMultipleChoiceField(
        label=_("Đơn vị kiểm tra trực tiếp"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, plan: InspectionPlan, **kwargs):
        super().__init__(*args, **kwargs)
        # Active units, plus any already chosen that has since been deactivated (so it can stay).
        self.fields["units"].queryset = Unit.objects.filter(
            Q(kind__in=[Unit.Kind.DEPARTMENT, Unit.Kind.DISTRICT], is_active=True)
            | Q(pk__in=plan.directly_inspected_units.values("pk"))
        ).in_registry_order()


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ["text", "order"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}


class TeamForm(forms.ModelForm):
    class Meta:
        model = InspectionTeam
        fields = ["decision_number", "decision_date", "note"]
        widgets = {"decision_date": forms.DateInput(attrs=DATE_ATTRS)}


class TeamMemberForm(forms.ModelForm):
    class Meta:
        model = TeamMember
        fields = ["user", "full_name", "email", "position", "agency", "role"]

    def __init__(self, *args, team: InspectionTeam, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        self.instance.team = team
        self.fields["user"].queryset = (
            get_user_model().objects.filter(is_active=True, groups__name__in=["inspector", "coordinator"]).distinct()
        )
        self.fields["agency"].queryset = Unit.objects.filter(kind=Unit.Kind.DEPARTMENT).in_registry_order()

    def clean(self):
        cleaned = super().clean()
        user = cleaned.get("user")
        if user and self.team.members.filter(user=user).exclude(pk=self.instance.pk).exists():
            self.add_error("user", _("Tài khoản này đã là thành viên của đoàn."))
        if cleaned.get("role") == TeamMember.Role.LEAD:
            current = self.team.members.filter(role=TeamMember.Role.LEAD).exclude(pk=self.instance.pk).first()
            if current:
                self.add_error(
                    "role",
                    _("Đoàn đã có Trưởng đoàn (%(name)s). Đổi vai trò của người đó trước.") % {"name": current.name},
                )
        return cleaned


class InspectionForm(forms.ModelForm):
    """Scheduling a new visit; the report due date is computed, never typed."""

    class Meta:
        model = Inspection
        fields = ["unit", "date", "start_time", "end_time", "place", "members"]
        widgets = {
            "date": forms.DateInput(attrs=DATE_ATTRS),
            "start_time": forms.TimeInput(attrs=TIME_ATTRS),
            "end_time": forms.TimeInput(attrs=TIME_ATTRS),
            "members": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, plan: InspectionPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["unit"].queryset = plan.directly_inspected_units.exclude(
            pk__in=plan.inspections.values("unit_id")
        ).in_registry_order()
        self.fields["members"].queryset = TeamMember.objects.filter(team__plan=plan).select_related("user", "agency")
        self.fields["members"].required = True

    def clean(self):
        cleaned = super().clean()
        needed = ["unit", "date", "start_time", "end_time", "members"]
        if all(cleaned.get(field) is not None for field in needed):
            try:
                check_schedule(
                    plan=self.plan,
                    unit=cleaned["unit"],
                    date=cleaned["date"],
                    start_time=cleaned["start_time"],
                    end_time=cleaned["end_time"],
                    members=cleaned["members"],
                )
            except ValidationError as error:
                add_errors(self, error)
        return cleaned

    def _post_clean(self):
        # Model-level unique/check constraints are enforced by check_schedule with clearer messages.
        pass


class InspectionEditForm(forms.ModelForm):
    class Meta:
        model = Inspection
        fields = ["place", "members", "status"]
        widgets = {"members": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = TeamMember.objects.filter(team__plan=self.instance.plan).select_related(
            "user", "agency"
        )
        self.fields["members"].required = True

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("members") is not None:
            try:
                check_schedule(
                    plan=self.instance.plan,
                    unit=self.instance.unit,
                    date=self.instance.date,
                    start_time=self.instance.start_time,
                    end_time=self.instance.end_time,
                    members=cleaned["members"],
                    exclude=self.instance,
                )
            except ValidationError as error:
                add_errors(self, error)
        return cleaned

    def _post_clean(self):
        pass


class RescheduleForm(forms.Form):
    date = forms.DateField(label=_("Ngày kiểm tra mới"), widget=forms.DateInput(attrs=DATE_ATTRS))
    start_time = forms.TimeField(label=_("Từ giờ"), widget=forms.TimeInput(attrs=TIME_ATTRS))
    end_time = forms.TimeField(label=_("Đến giờ"), widget=forms.TimeInput(attrs=TIME_ATTRS))
    place = forms.CharField(label=_("Địa điểm"), max_length=255)
    reason = forms.CharField(label=_("Lý do thay đổi"), widget=forms.Textarea(attrs={"rows": 3}))
    send_notice = forms.BooleanField(
        label=_("Gửi thông báo thay đổi lịch cho đơn vị và thành viên đoàn"), required=False, initial=True
    )

    def __init__(self, *args, inspection: Inspection, **kwargs):
        super().__init__(*args, **kwargs)
        self.inspection = inspection

    def clean(self):
        cleaned = super().clean()
        if all(cleaned.get(f) is not None for f in ["date", "start_time", "end_time"]):
            same = (cleaned["date"], cleaned["start_time"], cleaned["end_time"], cleaned.get("place")) == (
                self.inspection.date,
                self.inspection.start_time,
                self.inspection.end_time,
                self.inspection.place,
            )
            if same:
                raise ValidationError(_("Lịch mới giống lịch hiện tại: không có gì thay đổi."))
            try:
                check_schedule(
                    plan=self.inspection.plan,
                    unit=self.inspection.unit,
                    date=cleaned["date"],
                    start_time=cleaned["start_time"],
                    end_time=cleaned["end_time"],
                    members=self.inspection.members.all(),
                    exclude=self.inspection,
                )
            except ValidationError as error:
                add_errors(self, error)
        return cleaned


class InspectionFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Trạng thái"), choices=[("", _("Tất cả"))] + Inspection.Status.choices, required=False
    )
    kind = forms.ChoiceField(
        label=_("Loại đơn vị"),
        choices=[("", _("Tất cả")), (Unit.Kind.DEPARTMENT, Unit.Kind.DEPARTMENT.label)]
        + [(Unit.Kind.DISTRICT, Unit.Kind.DISTRICT.label)],
        required=False,
    )
    warnings = forms.BooleanField(label=_("Chỉ lịch có cảnh báo chưa xem"), required=False)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; each becomes its own version."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.docx,.xlsx"}))
        kwargs.setdefault("allow_empty_file", True)  # refused by check_upload, with its own message
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        from inspections.uploads import check_file_count

        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files:
            raise ValidationError(_("Chọn tệp để gửi."))
        check_file_count(files)
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class SubmissionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại tài liệu"))
    files = MultipleFileField(
        label=_("Tệp (PDF, DOCX hoặc XLSX)"),
        help_text=_("Mỗi lần gửi là một phiên bản mới; các phiên bản trước vẫn được giữ."),
    )

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.value, k.label) for k in kinds]


class AppendixUploadForm(forms.Form):
    workbook = forms.FileField(
        label=_("Tệp Excel phụ lục đã điền"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        allow_empty_file=True,  # refused by check_upload, with its own message
    )


class AppendixValuesForm(forms.Form):
    """The figures typed in, one integer field per figure of the plan."""

    def __init__(self, *args, figures, **kwargs):
        super().__init__(*args, **kwargs)
        self.figures = list(figures)
        for figure in self.figures:
            self.fields[figure.code] = forms.IntegerField(
                label=figure.label,
                min_value=0,
                localize=True,
                error_messages={"min_value": _("Phải là số nguyên không âm."), "invalid": _("Nhập một số nguyên.")},
            )


class PaperCopyForm(forms.Form):
    count = forms.IntegerField(label=_("Số bộ nhận được"), min_value=1, max_value=100)
    received_on = forms.DateField(label=_("Ngày nhận"), widget=forms.DateInput(attrs=DATE_ATTRS))
    note = forms.CharField(label=_("Ghi chú"), max_length=200, required=False)


class SelfInspectedUnitForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Đơn vị trực thuộc đã kiểm tra"), queryset=Unit.objects.none())
    inspected_on = forms.DateField(label=_("Ngày kiểm tra"), widget=forms.DateInput(attrs=DATE_ATTRS))

    def __init__(self, *args, subordinates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = subordinates


class SelfFindingForm(forms.Form):
    area = forms.ModelChoiceField(label=_("Nội dung kiểm tra"), queryset=None)
    criterion = forms.ModelChoiceField(label=_("Tiêu chí (không bắt buộc)"), queryset=None, required=False)
    kind = forms.ChoiceField(label=_("Loại"), choices=Finding.Kind.choices)
    text = forms.CharField(label=_("Nội dung"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = plan.areas.all()
        self.fields["criterion"].queryset = Criterion.objects.filter(area__plan=plan, is_active=True).select_related(
            "area"
        )
        self.fields["criterion"].label_from_instance = lambda c: f"{c.area.number}. {c.text[:120]}"

    def clean(self):
        cleaned = super().clean()
        area, criterion = cleaned.get("area"), cleaned.get("criterion")
        if area and criterion and criterion.area_id != area.pk:
            self.add_error("criterion", _("Tiêu chí này không thuộc nội dung đã chọn."))
        if cleaned.get("text") is not None and not cleaned["text"].strip():
            self.add_error("text", _("Nhập nội dung."))
        return cleaned
