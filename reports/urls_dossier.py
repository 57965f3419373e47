from django.urls import path

from reports import views_dossier

urlpatterns = [
    path("ho-so/<int:inspection_pk>.zip", views_dossier.dossier, name="dossier"),
]
