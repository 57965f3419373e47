"""The leadership dashboard and the summary report's recommendations (included in reports/urls.py)."""

from django.urls import path

from reports import views_dashboard as views

urlpatterns = [
    path("tong-quan/", views.dashboard_latest, name="dashboard_latest"),
    path("tong-quan/<int:plan_pk>/", views.dashboard, name="dashboard"),
    path("tong-quan/<int:plan_pk>/kien-nghi/", views.summary_note, name="summary_note"),
]
