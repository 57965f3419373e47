"""The visit: findings with evidence, checked divisions, the one-stop desk checklist."""

from django.urls import path

from inspections import views_visit

urlpatterns = [
    path("kiem-tra/<int:pk>/ket-qua/", views_visit.visit_findings, name="visit_findings"),
    path("kiem-tra/<int:pk>/ket-qua/them/", views_visit.visit_finding_add, name="visit_finding_add"),
    path("ket-qua/<int:finding_pk>/sua/", views_visit.visit_finding_edit, name="visit_finding_edit"),
    path("ket-qua/<int:finding_pk>/xoa/", views_visit.visit_finding_delete, name="visit_finding_delete"),
    path("kiem-tra/<int:pk>/phong-ban/", views_visit.visit_divisions, name="visit_divisions"),
    path("kiem-tra/<int:pk>/mot-cua/", views_visit.visit_checklist, name="visit_checklist"),
    path("mot-cua/<int:answer_pk>/ton-tai/", views_visit.checklist_to_shortcoming, name="checklist_to_shortcoming"),
    path("minh-chung/<int:pk>/", views_visit.evidence_download, name="evidence_download"),
]
