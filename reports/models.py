from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from inspections.models import InspectionPlan


class SummaryNote(models.Model):
    """The editable parts of a plan's provincial summary report (section V: recommendations)."""

    plan = models.OneToOneField(InspectionPlan, on_delete=models.CASCADE, related_name="summary_note")
    recommendations = models.TextField(_("kiến nghị, đề xuất"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("nội dung báo cáo tổng hợp")
        verbose_name_plural = _("nội dung báo cáo tổng hợp")

    def __str__(self):
        return str(self.plan)
