from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    name = "units"
    verbose_name = _("Đơn vị và tài khoản")

    def ready(self):
        from units.roles import ensure_role_groups

        # Groups and their permissions must exist wherever the schema does (tests included).
        post_migrate.connect(ensure_role_groups, dispatch_uid="units.ensure_role_groups")
