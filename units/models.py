import unicodedata

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


def fold_text(text: str) -> str:
    """Lower-case `text` without Vietnamese diacritics, so "binh luc" matches "Bình Lục"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


class UnitQuerySet(models.QuerySet):
    def in_registry_order(self):
        """Departments, then districts, then communes (grouped by district), then divisions."""
        rank = models.Case(
            *[models.When(kind=kind, then=models.Value(i)) for i, kind in enumerate(Unit.Kind.values)],
            output_field=models.IntegerField(),
        )
        return self.alias(kind_rank=rank).order_by("kind_rank", "parent__sort_order", "sort_order", "name", "pk")


class Unit(models.Model):
    """An agency under inspection (đối tượng kiểm tra)."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Sở, ban, ngành")
        DISTRICT = "district", _("UBND cấp huyện")
        COMMUNE = "commune", _("UBND cấp xã")
        DIVISION = "division", _("Phòng, ban chuyên môn")

    # Which kinds may stand above which: a commune under a district, a division under a
    # department or a district; departments and districts are top-level.
    ALLOWED_PARENT_KINDS = {
        Kind.DEPARTMENT: (),
        Kind.DISTRICT: (),
        Kind.COMMUNE: (Kind.DISTRICT,),
        Kind.DIVISION: (Kind.DEPARTMENT, Kind.DISTRICT),
    }

    kind = models.CharField(_("loại đơn vị"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    name = models.CharField(_("tên chính thức"), max_length=255)
    short_name = models.CharField(_("tên ngắn"), max_length=120)
    code = models.CharField(
        _("mã"),
        max_length=20,
        unique=True,
        help_text=_("Mã GSO với huyện và xã; mã nội bộ với sở, ban, ngành và phòng, ban."),
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    sort_order = models.PositiveIntegerField(_("thứ tự"), default=0)
    # Accent-free, lower-case copy of both names for portable search (SQLite and PostgreSQL).
    search_text = models.CharField(max_length=400, editable=False, default="")

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["sort_order", "name"]
        indexes = [models.Index(fields=["kind", "sort_order"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind__in=["commune", "division"]) | models.Q(parent__isnull=False),
                name="unit_commune_division_has_parent",
                violation_error_message=_("Xã và phòng, ban phải có đơn vị cấp trên."),
            ),
            models.CheckConstraint(
                condition=~models.Q(kind__in=["department", "district"]) | models.Q(parent__isnull=True),
                name="unit_top_level_has_no_parent",
                violation_error_message=_("Sở, ban, ngành và UBND cấp huyện không có đơn vị cấp trên."),
            ),
        ]

    def __str__(self):
        return self.short_name or self.name

    def save(self, *args, **kwargs):
        # A derived search key, not a business rule: kept in step with the names it folds.
        self.search_text = fold_text(f"{self.name} {self.short_name}")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"name", "short_name"} & set(update_fields):
            kwargs["update_fields"] = set(update_fields) | {"search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("units:detail", args=[self.pk])

    def clean(self):
        allowed = self.ALLOWED_PARENT_KINDS.get(self.kind, ())
        if self.parent_id is None:
            if allowed:
                raise ValidationError({"parent": _("Đơn vị loại này phải có đơn vị cấp trên.")})
            return
        if not allowed:
            raise ValidationError({"parent": _("Sở, ban, ngành và UBND cấp huyện không có đơn vị cấp trên.")})
        if self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": _("Đơn vị không thể là cấp trên của chính nó.")})
        if self.parent.kind not in allowed:
            raise ValidationError(
                {
                    "parent": _("Đơn vị cấp trên của %(kind)s phải là: %(allowed)s.")
                    % {
                        "kind": self.get_kind_display(),
                        "allowed": ", ".join(str(self.Kind(k).label) for k in allowed),
                    }
                }
            )


class User(AbstractUser):
    """An account. A unit's staff belong to exactly one unit; roles are Django groups."""

    unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("Bắt buộc với cán bộ đơn vị; để trống với các vai trò khác."),
    )
    position = models.CharField(_("chức vụ"), max_length=120, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    # Bumped to end every session of the account (logout, deactivation): see get_session_auth_hash.
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")
        ordering = ["username"]

    def __str__(self):
        return self.get_full_name() or self.username

    def get_session_auth_hash(self):
        return self._session_hash(settings.SECRET_KEY)

    def get_session_auth_fallback_hash(self):
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(secret)

    def _session_hash(self, secret):
        # Django checks this hash on every request: a new password or a new generation ends the session.
        return salted_hmac(
            "units.User.get_session_auth_hash",
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def get_full_name(self):
        # Vietnamese order: family and middle name first ("Nguyễn Thị Mai").
        return f"{self.last_name} {self.first_name}".strip()
