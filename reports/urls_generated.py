"""Documents made in the background (included in reports/urls.py)."""

from django.urls import path

from reports import views_generated

urlpatterns = [
    path(
        "tong-hop/<int:plan_pk>/tao/<str:kind>/",
        views_generated.summary_request_view,
        name="summary_request",
    ),
    path("tai-lieu-tao/<int:pk>/", views_generated.generated_document, name="generated_document"),
    path("tai-lieu-tao/<int:pk>/tai-ve/", views_generated.generated_download, name="generated_download"),
]
