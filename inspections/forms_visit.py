"""Forms of the visit page: findings with evidence, checked divisions, the one-stop desk checklist."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inspections.forms import MultipleFileField
from inspections.models import ChecklistAnswer, Criterion, Finding, Inspection
from inspections.uploads import check_upload, clean_label
from units.models import Unit


class EvidenceFilesField(MultipleFileField):
    """Evidence files: optional, several at once, each checked like a self-report before anything is stored."""

    def clean(self, data, initial=None):
        if not data and not self.required:
            return []
        return super().clean(data, initial)


class FindingForm(forms.Form):
    area = forms.ModelChoiceField(label=_("Nội dung kiểm tra"), queryset=None)
    criterion = forms.ModelChoiceField(label=_("Tiêu chí (không bắt buộc)"), queryset=None, required=False)
    kind = forms.ChoiceField(label=_("Loại"), choices=Finding.Kind.choices)
    text = forms.CharField(
        label=_("Nội dung ghi nhận"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": _("Nhập nội dung.")},
    )
    # The version the form was opened at: a save over someone else's newer one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, plan, finding: Finding | None = None, **kwargs):
        if finding is not None:
            kwargs.setdefault(
                "initial",
                {
                    "area": finding.area_id,
                    "criterion": finding.criterion_id,
                    "kind": finding.kind,
                    "text": finding.text,
                    "version": finding.version,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = plan.areas.all()
        # Only active criteria; a finding keeps the criterion it has even once that is retired.
        active = Q(is_active=True)
        if finding is not None and finding.criterion_id:
            active |= Q(pk=finding.criterion_id)
        self.fields["criterion"].queryset = Criterion.objects.filter(active, area__plan=plan).select_related("area")
        self.fields["criterion"].label_from_instance = lambda c: f"{c.area.number}. {c.text[:120]}"

    def clean(self):
        cleaned = super().clean()
        area, criterion = cleaned.get("area"), cleaned.get("criterion")
        if area and criterion and criterion.area_id != area.pk:
            self.add_error("criterion", _("Tiêu chí này không thuộc nội dung đã chọn."))
        return cleaned


class FindingRecordForm(FindingForm):
    files = EvidenceFilesField(
        label=_("Tệp minh chứng (PDF, DOCX hoặc XLSX)"),
        required=False,
        help_text=_("Không bắt buộc. Một tệp không hợp lệ thì kết quả không được ghi."),
    )

    def clean_files(self):
        """Check every file before the finding is written, so one bad file refuses the whole finding."""
        files = self.cleaned_data["files"]
        problems = []
        for uploaded in files:
            try:
                check_upload(uploaded)
            except ValidationError as error:
                problems.append(f"{clean_label(uploaded.name)[:100]}: {' '.join(error.messages)}")
        if problems:
            raise ValidationError(problems)
        return files


class CheckedDivisionsForm(forms.Form):
    divisions = forms.ModelMultipleChoiceField(
        label=_("Phòng, ban đã kiểm tra"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": _("Chỉ chọn phòng, ban của đơn vị được kiểm tra.")},
    )

    def __init__(self, *args, inspection: Inspection, checked=(), **kwargs):
        super().__init__(*args, **kwargs)
        checked_ids = [u.pk for u in checked]
        self.fields["divisions"].queryset = (
            Unit.objects.filter(parent_id=inspection.unit_id, kind=Unit.Kind.DIVISION)
            .filter(Q(is_active=True) | Q(pk__in=checked_ids))
            .in_registry_order()
        )
        if not self.is_bound:
            self.initial["divisions"] = checked_ids


ANSWER_CHOICES = [("", "-")] + ChecklistAnswer.Answer.choices


class ChecklistDeskForm(forms.Form):
    """One desk's answers: `answer_<item pk>` and `note_<item pk>` per checklist item; blank answers are skipped."""

    desk_unit = forms.ModelChoiceField(
        queryset=None,
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": _("Chỉ kiểm tra Bộ phận Một cửa của huyện được kiểm tra và các xã của huyện."),
            "required": _("Chọn Bộ phận Một cửa được kiểm tra."),
        },
    )

    def __init__(self, *args, desks, items, answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        self.fields["desk_unit"].queryset = desks
        answers = answers or {}
        for item in self.items:
            current = answers.get(item.pk)
            self.fields[f"answer_{item.pk}"] = forms.ChoiceField(
                label=item.text,
                choices=ANSWER_CHOICES,
                required=False,
                initial=current.answer if current else "",
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
                error_messages={
                    "invalid_choice": _("Kết quả kiểm tra chỉ có thể là Có, Một phần hoặc Không."),
                },
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("Ghi chú"),
                required=False,
                max_length=500,
                initial=current.note if current else "",
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )

    def answered(self):
        """(item, answer, note) for every item given an answer."""
        return [
            (item, self.cleaned_data[f"answer_{item.pk}"], self.cleaned_data[f"note_{item.pk}"])
            for item in self.items
            if self.cleaned_data[f"answer_{item.pk}"]
        ]
