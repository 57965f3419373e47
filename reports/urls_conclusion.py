"""The conclusion notice downloads (included under the "reports" namespace by reports/urls.py)."""

from django.urls import path

from reports import views_conclusion as views

PREFIX = "ket-luan/<int:inspection_pk>/lan/<int:number>/thong-bao"

urlpatterns = [
    path(f"{PREFIX}.pdf", views.conclusion_pdf, name="conclusion_pdf"),
    path(f"{PREFIX}.xlsx", views.conclusion_xlsx, name="conclusion_xlsx"),
    path(f"{PREFIX}.docx", views.conclusion_docx, name="conclusion_docx"),
]
