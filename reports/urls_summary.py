"""The provincial summary report's documents (included in reports/urls.py)."""

from django.urls import path

from reports import views_summary

urlpatterns = [
    path("tong-hop/<int:plan_pk>/bao-cao.pdf", views_summary.summary_report_pdf, name="summary_pdf"),
    path("tong-hop/<int:plan_pk>/bao-cao.xlsx", views_summary.summary_report_xlsx, name="summary_xlsx"),
    path("tong-hop/<int:plan_pk>/bao-cao.docx", views_summary.summary_report_docx, name="summary_docx"),
]
