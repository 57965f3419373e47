from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CchcConfig(AppConfig):
    name = "cchc_inspection"
    default = True

    def ready(self):
        from cchc_inspection.security import connect_signals

        connect_signals()


class CchcAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "cchc_inspection.admin.CchcAdminSite"
