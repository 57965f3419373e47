from reports import urls_conclusion, urls_dashboard, urls_dossier, urls_generated

app_name = "reports"
urlpatterns = (
    urls_conclusion.urlpatterns + urls_generated.urlpatterns + urls_dossier.urlpatterns + urls_dashboard.urlpatterns
)
