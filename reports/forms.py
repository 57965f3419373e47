from django import forms
from django.utils.translation import gettext_lazy as _

from reports.models import SummaryNote

RECOMMENDATIONS_MAX_LENGTH = 20000


class SummaryNoteForm(forms.ModelForm):
    """The recommendations (kiến nghị, đề xuất) of the provincial summary report."""

    class Meta:
        model = SummaryNote
        fields = ["recommendations"]
        widgets = {"recommendations": forms.Textarea(attrs={"rows": 12})}
        help_texts = {
            "recommendations": _(
                "Mục Kiến nghị, đề xuất của Báo cáo kết quả kiểm tra gửi UBND tỉnh. Mỗi kiến nghị một dòng."
            )
        }

    def clean_recommendations(self):
        text = self.cleaned_data["recommendations"].strip()
        if len(text) > RECOMMENDATIONS_MAX_LENGTH:
            raise forms.ValidationError(
                _("Nội dung quá dài: tối đa %(max)s ký tự (hiện có %(n)s).")
                % {"max": RECOMMENDATIONS_MAX_LENGTH, "n": len(text)}
            )
        return text
