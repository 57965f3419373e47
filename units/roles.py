"""Roles are Django groups with model permissions; which unit a user belongs to is data."""

from django.db import DEFAULT_DB_ALIAS, connections, models, router
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Chuyên viên Sở Nội vụ (điều phối)")
    UNIT_STAFF = "unit_staff", _("Cán bộ đơn vị")
    INSPECTOR = "inspector", _("Thành viên Đoàn Kiểm tra")
    LEADERSHIP = "leadership", _("Lãnh đạo")


# Model permissions per role ("app_label.codename"). Later apps add theirs here.
ROLE_PERMISSIONS = {
    Role.COORDINATOR: [
        "units.view_unit",
        "units.add_unit",
        "units.change_unit",
        "units.view_user",
        "units.add_user",
        "units.change_user",
        *[
            f"inspections.{action}_{model}"
            for model in (
                "inspectionplan",
                "contentarea",
                "criterion",
                "inspectionteam",
                "teammember",
                "inspection",
                "appendixfigure",
                "appendixrule",
            )
            for action in ("view", "add", "change", "delete")
        ],
    ],
    Role.UNIT_STAFF: ["units.view_unit"],
    Role.INSPECTOR: ["units.view_unit", "inspections.view_inspectionplan", "inspections.view_inspection"],
    Role.LEADERSHIP: ["units.view_unit", "inspections.view_inspectionplan", "inspections.view_inspection"],
}

# Roles that read the whole registry rather than their own unit's branch.
PROVINCE_WIDE_ROLES = frozenset({Role.COORDINATOR, Role.INSPECTOR, Role.LEADERSHIP})


def ensure_role_groups(using=DEFAULT_DB_ALIAS, **kwargs):
    """Create the role groups and give them their permissions (idempotent; run after migrate)."""
    from django.contrib.auth.models import Group, Permission

    codenames = {dotted.split(".")[1] for perms in ROLE_PERMISSIONS.values() for dotted in perms}
    # On the database being migrated: with a read replica, a plain read would go there and miss
    # the permissions migrate has just made.
    by_name = {
        f"{perm.content_type.app_label}.{perm.codename}": perm
        for perm in Permission.objects.using(using).filter(codename__in=codenames).select_related("content_type")
    }
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=role.value)
        # Permissions of apps not migrated yet are skipped; the signal runs again for them.
        group.permissions.set([by_name[dotted] for dotted in perms if dotted in by_name])


def user_roles(user) -> frozenset[str]:
    """The role names of `user`, read once per request object."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_cchc_roles", None)
    if cached is None:
        cached = _group_names(user)
        user._cchc_roles = cached
    return cached


def _group_names(user) -> frozenset[str]:
    """user.groups.values_list("name", flat=True) in plain SQL. Every page asks (the menu, the access
    checks); building this query through the ORM took 0.4 ms of CPU, sending it as it is 0.06 ms, out
    of a 3 ms page layout (bench/run, issue 8 point 3a). Read where the ORM would read it."""
    from django.contrib.auth.models import Group

    model = user._meta.model  # request.user is a lazy object: type(user) is not the model
    through = model.groups.through
    connection = connections[router.db_for_read(model, instance=user)]
    qn = connection.ops.quote_name
    sql = (
        f"SELECT g.{qn(Group._meta.get_field('name').column)} FROM {qn(Group._meta.db_table)} g"
        f" INNER JOIN {qn(through._meta.db_table)} m ON m.{qn(through._meta.get_field('group').column)}"
        f" = g.{qn(Group._meta.pk.column)} WHERE m.{qn(through._meta.get_field('user').column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk])
        return frozenset(name for (name,) in cursor.fetchall())


def role_has_perm(user, perm: str) -> bool:
    """Whether `user`'s roles grant `perm` ("app_label.codename"). ROLE_PERMISSIONS is the source:
    ensure_role_groups writes it to the groups on every migrate. Read from the role names the
    request already has; Django's has_perm costs two queries a request (a quarter of a cached
    dashboard's time, bench/run)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(perm in ROLE_PERMISSIONS.get(role, ()) for role in user_roles(user))


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def is_province_wide(user) -> bool:
    """Superusers and every role but unit staff see all units."""
    return user.is_authenticated and (user.is_superuser or bool(user_roles(user) & PROVINCE_WIDE_ROLES))
