from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The models summary_data() reads (reports/summary.py): a change to any of them makes the cached
# dashboard figures stale.
SUMMARY_MODELS = [
    "inspections.InspectionPlan",
    "inspections.ContentArea",
    "inspections.Inspection",
    "inspections.Submission",
    "inspections.PaperCopyReceipt",
    "inspections.Finding",
    "inspections.Conclusion",
    "inspections.RemediationAction",
    "inspections.RemediationReport",
    "inspections.RemediationReview",
    "inspections.SelfInspection",
    "inspections.SelfInspectedUnit",
    "units.Unit",
    "reports.SummaryNote",
]


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Báo cáo")

    def ready(self):
        from django.apps import apps
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from reports.summary import bump_data_version

        for label in SUMMARY_MODELS:
            model = apps.get_model(label)
            post_save.connect(bump_data_version, sender=model, dispatch_uid=f"summary-version-save-{label}")
            post_delete.connect(bump_data_version, sender=model, dispatch_uid=f"summary-version-delete-{label}")
        plan = apps.get_model("inspections.InspectionPlan")
        m2m_changed.connect(
            bump_data_version,
            sender=plan.directly_inspected_units.through,
            dispatch_uid="summary-version-direct-units",
        )
