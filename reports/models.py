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


class GeneratedDocument(models.Model):
    """A long document made in the background (reports/tasks.py); the page polls its status."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "Excel"
        DOCX = "docx", "Word"

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang tạo")
        DONE = "done", _("Đã xong")
        FAILED = "failed", _("Lỗi")

    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="generated_documents")
    kind = models.CharField(_("định dạng"), max_length=8, choices=Kind.choices)
    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(upload_to="generated/%Y/", blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tài liệu tạo tự động")
        verbose_name_plural = _("tài liệu tạo tự động")
        indexes = [models.Index(fields=["plan", "kind", "status"])]

    def __str__(self):
        return f"{self.plan} ({self.kind})"

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def filename(self) -> str:
        """The ASCII name the summary downloads have always had."""
        return f"bao-cao-ket-qua-kiem-tra-cchc-{self.plan.year}.{self.kind}"
