"""After the visit: the conclusion, remediation and the audit trail (appended to inspections/urls.py)."""

from django.urls import path

from inspections import views_followup as views

urlpatterns = [
    path("kiem-tra/<int:pk>/ket-luan/", views.conclusion, name="conclusion"),
    path("kiem-tra/<int:pk>/ket-luan/bat-dau/", views.conclusion_start, name="conclusion_start"),
    path("kiem-tra/<int:pk>/ket-luan/luu/", views.conclusion_save, name="conclusion_save"),
    path(
        "kiem-tra/<int:pk>/ket-luan/noi-dung/<int:number>/dien-lai/",
        views.conclusion_refill,
        name="conclusion_refill",
    ),
    path("kiem-tra/<int:pk>/ket-luan/yeu-cau/them/", views.action_add, name="action_add"),
    path("kiem-tra/<int:pk>/ket-luan/yeu-cau/<int:action_pk>/xoa/", views.action_delete, name="action_delete"),
    path("kiem-tra/<int:pk>/ket-luan/ban-hanh/", views.conclusion_issue, name="conclusion_issue"),
    path("kiem-tra/<int:pk>/ket-luan/mo-lai/", views.conclusion_reopen, name="conclusion_reopen"),
    path("kiem-tra/<int:pk>/ket-luan/lan/<int:number>/", views.conclusion_revision, name="conclusion_revision"),
    path("khac-phuc/", views.remediation_list, name="remediation_list"),
    path("khac-phuc/<int:pk>/", views.remediation_detail, name="remediation_detail"),
    path("khac-phuc/<int:pk>/bao-cao/", views.remediation_report, name="remediation_report"),
    path("khac-phuc/<int:pk>/tham-dinh/", views.remediation_review, name="remediation_review"),
    path("ke-hoach/<int:pk>/khac-phuc/", views.remediation_plan, name="remediation_plan"),
    path("lich-su/<slug:model>/<int:pk>/", views.history, name="history"),
]
