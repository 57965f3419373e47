import datetime
import functools
import secrets
import uuid
import zoneinfo
from pathlib import Path

import holidays
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from units.models import Unit


def shift_year(day: datetime.date | None, years: int = 1) -> datetime.date | None:
    """The same day `years` later; 29 February becomes 28 February."""
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class InspectionPlan(models.Model):
    """One plan a year (Kế hoạch kiểm tra công tác CCHC năm YYYY)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        ACTIVE = "active", _("Đang thực hiện")
        CLOSED = "closed", _("Đã kết thúc")

    year = models.PositiveSmallIntegerField(
        _("năm"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    number = models.CharField(_("số"), max_length=20, blank=True, help_text=_("Để trống nếu chưa có số."))
    symbol = models.CharField(_("ký hiệu"), max_length=40, default="KH-UBND")
    issue_date = models.DateField(_("ngày ban hành"), null=True, blank=True)
    title = models.CharField(_("tên kế hoạch"), max_length=300)
    issuing_body = models.CharField(_("cơ quan ban hành"), max_length=200, default="ỦY BAN NHÂN DÂN TỈNH HÀ NAM")
    place = models.CharField(_("địa danh"), max_length=100, default="Hà Nam")
    window_start = models.DateField(_("kiểm tra từ ngày"))
    window_end = models.DateField(_("kiểm tra đến ngày"))
    report_lead_days = models.PositiveSmallIntegerField(
        _("số ngày gửi báo cáo trước ngày kiểm tra"), default=7, validators=[MaxValueValidator(60)]
    )
    paper_copies_required = models.PositiveSmallIntegerField(
        _("số bộ báo cáo giấy"), default=8, validators=[MaxValueValidator(50)]
    )
    remediation_deadline = models.DateField(_("hạn báo cáo kết quả khắc phục"))
    min_remediation_days = models.PositiveSmallIntegerField(
        _("số ngày khắc phục tối thiểu sau buổi kiểm tra"),
        default=7,
        help_text=_("Cảnh báo khi buổi kiểm tra để lại ít ngày hơn trước hạn báo cáo khắc phục."),
    )
    self_inspection_deadline = models.DateField(_("hạn báo cáo kết quả tự kiểm tra"))
    district_min_ratio = models.PositiveSmallIntegerField(
        _("tỷ lệ tự kiểm tra tối thiểu của cấp huyện (%)"),
        default=40,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    directly_inspected_units = models.ManyToManyField(
        Unit,
        verbose_name=_("đơn vị kiểm tra trực tiếp"),
        related_name="direct_inspection_plans",
        blank=True,
        limit_choices_to={"kind__in": [Unit.Kind.DEPARTMENT, Unit.Kind.DISTRICT]},
    )
    copied_from = models.ForeignKey(
        "self", verbose_name=_("sao chép từ"), on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kế hoạch kiểm tra")
        verbose_name_plural = _("kế hoạch kiểm tra")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(window_end__gte=models.F("window_start")),
                name="plan_window_ordered",
                violation_error_message=_("Ngày kết thúc kiểm tra phải sau ngày bắt đầu."),
            ),
        ]

    def __str__(self):
        return str(self.title)

    def get_absolute_url(self):
        return reverse("inspections:plan_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.window_start and self.window_end and self.window_end < self.window_start:
            errors["window_end"] = _("Ngày kết thúc kiểm tra phải sau ngày bắt đầu.")
        if self.year and self.window_start and self.window_start.year != self.year:
            errors["window_start"] = _("Thời gian kiểm tra phải nằm trong năm của kế hoạch.")
        if errors:
            raise ValidationError(errors)

    @property
    def number_symbol(self) -> str:
        """As printed on the document: "Số: 45/KH-UBND", or "Số: /KH-UBND" before it has a number."""
        return f"{self.number}/{self.symbol}"

    @property
    def is_read_only(self) -> bool:
        return self.status == self.Status.CLOSED

    def self_inspecting_units(self):
        """Every active department and district not inspected directly (seed §IV.2): derived."""
        return (
            Unit.objects.filter(is_active=True, kind__in=[Unit.Kind.DEPARTMENT, Unit.Kind.DISTRICT])
            .exclude(pk__in=self.directly_inspected_units.values("pk"))
            .in_registry_order()
        )


class ContentArea(models.Model):
    """One of the seven content areas of a plan (seed §II)."""

    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="areas")
    number = models.PositiveSmallIntegerField(_("số thứ tự"))
    title = models.CharField(_("nội dung"), max_length=300)

    class Meta:
        verbose_name = _("nội dung kiểm tra")
        verbose_name_plural = _("nội dung kiểm tra")
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="area_number_unique_in_plan")]

    def __str__(self):
        return f"{self.number}. {self.title}"


class Criterion(models.Model):
    """A point under a content area that a report answers and a visit checks."""

    area = models.ForeignKey(ContentArea, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    text = models.TextField(_("tiêu chí"))
    is_active = models.BooleanField(
        _("đang dùng"), default=True, help_text=_("Tiêu chí đã dùng thì chỉ có thể ngừng dùng, không xóa.")
    )

    class Meta:
        verbose_name = _("tiêu chí")
        verbose_name_plural = _("tiêu chí")
        ordering = ["area", "order", "pk"]

    def __str__(self):
        return self.text

    @property
    def is_used(self) -> bool:
        return self.findings.exists()


class InspectionTeam(models.Model):
    """The team formed by decision of the provincial People's Committee (Đoàn Kiểm tra)."""

    plan = models.OneToOneField(InspectionPlan, on_delete=models.CASCADE, related_name="team")
    decision_number = models.CharField(_("số quyết định"), max_length=40, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Đoàn Kiểm tra")
        verbose_name_plural = _("Đoàn Kiểm tra")

    def __str__(self):
        return str(_("Đoàn Kiểm tra CCHC năm %(year)s") % {"year": self.plan.year})

    @property
    def lead(self):
        return next((m for m in self.members.all() if m.role == TeamMember.Role.LEAD), None)


class TeamMember(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Trưởng đoàn")
        DEPUTY = "deputy", _("Phó trưởng đoàn")
        MEMBER = "member", _("Thành viên")
        SECRETARY = "secretary", _("Thư ký")

    ROLE_ORDER = [Role.LEAD, Role.DEPUTY, Role.MEMBER, Role.SECRETARY]

    team = models.ForeignKey(InspectionTeam, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="team_memberships",
        help_text=_("Để trống với người ngoài hệ thống; khi đó nhập họ tên."),
    )
    full_name = models.CharField(_("họ và tên"), max_length=120, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    position = models.CharField(_("chức vụ"), max_length=120, blank=True)
    agency = models.ForeignKey(
        Unit,
        verbose_name=_("cơ quan"),
        on_delete=models.PROTECT,
        related_name="team_members",
        limit_choices_to={"kind": Unit.Kind.DEPARTMENT},
    )
    role = models.CharField(_("vai trò trong đoàn"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    is_demo = models.BooleanField(_("dữ liệu minh họa"), default=False, editable=False)

    class Meta:
        verbose_name = _("thành viên đoàn")
        verbose_name_plural = _("thành viên đoàn")
        ordering = ["team", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team"],
                condition=models.Q(role="lead"),
                name="one_lead_per_team",
                violation_error_message=_("Đoàn đã có Trưởng đoàn."),
            ),
            models.UniqueConstraint(
                fields=["team", "user"],
                condition=models.Q(user__isnull=False),
                name="user_once_per_team",
                violation_error_message=_("Tài khoản này đã là thành viên của đoàn."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if not self.user_id and not self.full_name.strip():
            raise ValidationError({"full_name": _("Nhập họ tên, hoặc chọn một tài khoản.")})

    @property
    def name(self) -> str:
        if self.user_id and not self.full_name:
            return self.user.get_full_name() or self.user.username
        return self.full_name

    @property
    def contact_email(self) -> str:
        return self.email or (self.user.email if self.user_id else "")


class Inspection(models.Model):
    """A scheduled direct inspection of one unit (kiểm tra trực tiếp, seed §IV.1)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Đã lên lịch")
        DONE = "done", _("Đã kiểm tra")
        CANCELLED = "cancelled", _("Đã hủy")

    plan = models.ForeignKey(InspectionPlan, on_delete=models.PROTECT, related_name="inspections")
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="inspections")
    date = models.DateField(_("ngày kiểm tra"))
    start_time = models.TimeField(_("từ giờ"))
    end_time = models.TimeField(_("đến giờ"))
    place = models.CharField(_("địa điểm"), max_length=255)
    members = models.ManyToManyField(TeamMember, verbose_name=_("thành viên đi kiểm tra"), related_name="inspections")
    checked_divisions = models.ManyToManyField(
        Unit, verbose_name=_("phòng, ban đã kiểm tra"), related_name="checked_in_inspections", blank=True
    )
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    scheduled_on = models.DateField(
        _("ngày xếp lịch"), default=timezone.localdate, help_text=_("Ngày ấn định ngày kiểm tra hiện tại.")
    )
    warnings_acknowledged_at = models.DateTimeField(null=True, blank=True, editable=False)
    warnings_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("buổi kiểm tra")
        verbose_name_plural = _("buổi kiểm tra")
        ordering = ["date", "start_time", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "unit"],
                name="unit_inspected_once_per_plan",
                violation_error_message=_("Đơn vị này đã có lịch kiểm tra trong kế hoạch."),
            ),
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="inspection_ends_after_start",
                violation_error_message=_("Giờ kết thúc phải sau giờ bắt đầu."),
            ),
        ]

    def __str__(self):
        return f"{self.unit} - {self.date:%d/%m/%Y}"

    def get_absolute_url(self):
        return reverse("inspections:inspection_detail", args=[self.pk])

    @property
    def report_due_date(self) -> datetime.date:
        """The unit's report is due this many days before the visit (seed §IV.1), by the end of the day."""
        return self.date - datetime.timedelta(days=self.plan.report_lead_days)

    @property
    def remediation_days_left(self) -> int:
        return (self.plan.remediation_deadline - self.date).days

    def schedule_warnings(self) -> list[str]:
        """Reasons to look twice at this date: saved anyway, shown until acknowledged."""
        warnings = []
        if not (self.plan.window_start <= self.date <= self.plan.window_end):
            # Possible when the plan's window was edited after scheduling: shown, not hidden.
            warnings.append(
                _("Ngày kiểm tra nằm ngoài thời gian kiểm tra của kế hoạch (%(start)s - %(end)s).")
                % {"start": f"{self.plan.window_start:%d/%m/%Y}", "end": f"{self.plan.window_end:%d/%m/%Y}"}
            )
        if self.date.weekday() >= 5:
            warnings.append(_("Ngày kiểm tra rơi vào cuối tuần."))
        holiday = vietnam_holidays(self.date.year).get(self.date)
        if holiday:
            warnings.append(_("Ngày kiểm tra là ngày nghỉ lễ: %(name)s.") % {"name": holiday})
        if self.report_due_date < self.scheduled_on:
            warnings.append(
                _("Hạn gửi báo cáo (%(due)s) đã qua khi xếp lịch (%(on)s).")
                % {"due": f"{self.report_due_date:%d/%m/%Y}", "on": f"{self.scheduled_on:%d/%m/%Y}"}
            )
        if self.remediation_days_left < self.plan.min_remediation_days:
            warnings.append(
                _("Chỉ còn %(days)s ngày từ buổi kiểm tra đến hạn báo cáo khắc phục (%(deadline)s).")
                % {"days": self.remediation_days_left, "deadline": f"{self.plan.remediation_deadline:%d/%m/%Y}"}
            )
        return warnings

    @property
    def has_open_warnings(self) -> bool:
        return self.warnings_acknowledged_at is None and bool(self.schedule_warnings())


@functools.cache
def vietnam_holidays(year: int):
    """Vietnam's public holidays of a year (read-only). Cached: building them takes ~20 ms, and the
    schedule asks once per visit (230 visits at national scale; bench/run, 3a)."""
    return holidays.country_holidays("VN", years=year, language="vi")


class Reschedule(models.Model):
    """The history of an inspection's earlier dates: who moved it, when and why."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="reschedules")
    old_date = models.DateField(_("ngày cũ"))
    old_start_time = models.TimeField(_("giờ bắt đầu cũ"))
    old_end_time = models.TimeField(_("giờ kết thúc cũ"))
    old_place = models.CharField(_("địa điểm cũ"), max_length=255)
    new_date = models.DateField(_("ngày mới"))
    new_start_time = models.TimeField(_("giờ bắt đầu mới"))
    new_end_time = models.TimeField(_("giờ kết thúc mới"))
    new_place = models.CharField(_("địa điểm mới"), max_length=255)
    reason = models.TextField(_("lý do"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("thay đổi lịch")
        verbose_name_plural = _("thay đổi lịch")
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.inspection.unit}: {self.old_date:%d/%m/%Y} → {self.new_date:%d/%m/%Y}"


class ScheduleNotice(models.Model):
    """A schedule notice (thông báo lịch kiểm tra) as sent: the PDF is kept as it went out."""

    class Kind(models.TextChoices):
        INITIAL = "initial", _("Thông báo lịch kiểm tra")
        UPDATE = "update", _("Thông báo thay đổi lịch kiểm tra")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reschedule = models.ForeignKey(Reschedule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    pdf = models.FileField(upload_to="notices/%Y/")
    recipients = models.TextField(_("người nhận"), blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("thông báo lịch kiểm tra")
        verbose_name_plural = _("thông báo lịch kiểm tra")
        ordering = ["-sent_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} - {self.inspection.unit}"


class Finding(models.Model):
    """A strength or shortcoming recorded against a content area (and optionally a criterion).

    Used by direct visits and by self-inspection alike; the visit workflow builds on it.
    """

    class Kind(models.TextChoices):
        STRENGTH = "strength", _("Ưu điểm")
        SHORTCOMING = "shortcoming", _("Tồn tại, hạn chế")

    plan = models.ForeignKey(InspectionPlan, on_delete=models.PROTECT, related_name="findings")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="findings")
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, null=True, blank=True, related_name="findings")
    area = models.ForeignKey(ContentArea, verbose_name=_("nội dung"), on_delete=models.PROTECT, related_name="findings")
    criterion = models.ForeignKey(
        Criterion,
        verbose_name=_("tiêu chí"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
    )
    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices)
    text = models.TextField(_("nội dung"))
    checklist_answer = models.OneToOneField(
        "ChecklistAnswer", on_delete=models.SET_NULL, null=True, blank=True, related_name="finding", editable=False
    )
    # Bumped by every save through the services: a stale form (an older version) is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kết quả kiểm tra")
        verbose_name_plural = _("kết quả kiểm tra")
        ordering = ["area__number", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:60]}"


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarToken(models.Model):
    """An unguessable per-user token so calendar apps can subscribe to ICS feeds without a session."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token")
    token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mã lịch")
        verbose_name_plural = _("mã lịch")

    def __str__(self):
        return str(self.user)


# --- The unit portal: self-reports, appendix figures, paper copies, self-inspection, reminders ---


def submission_path(instance, filename):
    """The stored name is the app's own; the user's file name is kept only as a label."""
    extension = Path(filename).suffix.lower()
    return f"submissions/{instance.plan.year}/{instance.unit.code}/{uuid.uuid4().hex}{extension}"


def end_of_day(day: datetime.date) -> datetime.datetime:
    """A deadline date means the end of that day in Asia/Ho_Chi_Minh."""
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tz)


class StoredFile(models.Model):
    """What the app keeps of any uploaded file: the user's name only as a label, and its checks."""

    original_name = models.CharField(_("tên tệp gốc"), max_length=255)
    extension = models.CharField(max_length=8)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    def store(self, uploaded_file, checked) -> None:
        """Fill the checked facts and save the file under an app-generated name."""
        self.original_name = checked.original_name
        self.extension = checked.extension
        self.size = checked.size
        self.sha256 = checked.sha256
        self.file.save(f"upload.{checked.extension}", uploaded_file, save=False)
        self.save()


class Submission(StoredFile):
    """A file a unit sends. Every upload is a new version: a unit never overwrites or deletes one."""

    class Kind(models.TextChoices):
        REPORT = "report", _("Báo cáo theo Đề cương")
        APPENDIX = "appendix", _("Phụ lục số liệu")
        SELF_INSPECTION_PLAN = "si_plan", _("Kế hoạch tự kiểm tra")
        SELF_INSPECTION_REPORT = "si_report", _("Báo cáo kết quả tự kiểm tra")

    plan = models.ForeignKey(InspectionPlan, on_delete=models.PROTECT, related_name="submissions")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="submissions")
    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, null=True, blank=True, related_name="submissions"
    )
    kind = models.CharField(_("loại tài liệu"), max_length=12, choices=Kind.choices)
    file = models.FileField(upload_to=submission_path, max_length=255)
    due_date = models.DateField(_("hạn nộp khi gửi"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tài liệu đơn vị gửi")
        verbose_name_plural = _("tài liệu đơn vị gửi")
        ordering = ["-uploaded_at", "-pk"]
        indexes = [models.Index(fields=["plan", "unit", "kind"])]

    def __str__(self):
        return f"{self.get_kind_display()} - {self.unit} ({self.original_name})"

    @property
    def lateness(self) -> datetime.timedelta | None:
        """How late, against the deadline in force when the file arrived (None if on time)."""
        if self.due_date is None:
            return None
        late = self.uploaded_at - end_of_day(self.due_date)
        return late if late > datetime.timedelta(0) else None

    @property
    def is_late(self) -> bool:
        return self.lateness is not None


class AppendixFigure(models.Model):
    """One figure of the appendix (Phụ lục) that a unit reports, defined per plan by coordinators."""

    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="figures")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    code = models.SlugField(_("mã"), max_length=40)
    group = models.CharField(_("nhóm"), max_length=200, blank=True)
    label = models.CharField(_("chỉ tiêu"), max_length=300)

    class Meta:
        verbose_name = _("chỉ tiêu phụ lục")
        verbose_name_plural = _("chỉ tiêu phụ lục")
        ordering = ["plan", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="figure_code_unique_in_plan")]

    def __str__(self):
        return str(self.label)


class AppendixRule(models.Model):
    """A consistency rule: the sum of some figures may not exceed another (resolved ≤ received)."""

    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="figure_rules")
    parts = models.CharField(_("các chỉ tiêu thành phần (mã, cách nhau dấu phẩy)"), max_length=300)
    total = models.CharField(_("chỉ tiêu tổng (mã)"), max_length=40)

    class Meta:
        verbose_name = _("quy tắc kiểm tra số liệu")
        verbose_name_plural = _("quy tắc kiểm tra số liệu")

    def __str__(self):
        return f"{self.parts} ≤ {self.total}"

    @property
    def part_codes(self) -> list[str]:
        return [code.strip() for code in self.parts.split(",") if code.strip()]


class AppendixValue(models.Model):
    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="figure_values")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="figure_values")
    figure = models.ForeignKey(AppendixFigure, on_delete=models.PROTECT, related_name="values")
    value = models.PositiveBigIntegerField(_("số liệu"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("số liệu phụ lục")
        verbose_name_plural = _("số liệu phụ lục")
        constraints = [models.UniqueConstraint(fields=["unit", "figure"], name="one_value_per_unit_figure")]

    def __str__(self):
        return f"{self.figure.code}={self.value}"


class PaperCopyReceipt(models.Model):
    """Paper copies of the report received by Sở Nội vụ (the plan sets how many are required)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="paper_copies")
    count = models.PositiveSmallIntegerField(_("số bộ nhận được"), validators=[MinValueValidator(1)])
    received_on = models.DateField(_("ngày nhận"))
    note = models.CharField(_("ghi chú"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bản giấy đã nhận")
        verbose_name_plural = _("bản giấy đã nhận")
        ordering = ["received_on", "pk"]

    def __str__(self):
        return f"{self.count} @ {self.received_on:%d/%m/%Y}"


class SelfInspection(models.Model):
    """A unit's own inspection when it is not inspected directly (seed §IV.2)."""

    plan = models.ForeignKey(InspectionPlan, on_delete=models.PROTECT, related_name="self_inspections")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="self_inspections")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tự kiểm tra")
        verbose_name_plural = _("tự kiểm tra")
        constraints = [models.UniqueConstraint(fields=["plan", "unit"], name="one_self_inspection_per_plan_unit")]

    def __str__(self):
        return f"{self.unit} - {self.plan.year}"


class SelfInspectedUnit(models.Model):
    """A subordinate unit (division, or a district's commune) the unit inspected, and when."""

    self_inspection = models.ForeignKey(SelfInspection, on_delete=models.CASCADE, related_name="inspected")
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị được kiểm tra"), on_delete=models.PROTECT, related_name="+")
    inspected_on = models.DateField(_("ngày kiểm tra"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("đơn vị đã tự kiểm tra")
        verbose_name_plural = _("đơn vị đã tự kiểm tra")
        ordering = ["inspected_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["self_inspection", "unit"], name="subordinate_once_per_self_inspection")
        ]

    def __str__(self):
        return f"{self.unit} @ {self.inspected_on:%d/%m/%Y}"


class ReminderSent(models.Model):
    """A reminder already emailed: each kind at most once per unit per deadline."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("Nhắc trước hạn")
        DUE_DAY = "due_day", _("Nhắc đúng ngày hạn")
        OVERDUE = "overdue", _("Nhắc quá hạn")

    class Subject(models.TextChoices):
        REPORT = "report", _("Báo cáo trước buổi kiểm tra")
        SELF_INSPECTION = "self_inspection", _("Báo cáo kết quả tự kiểm tra")
        REMEDIATION = "remediation", _("Báo cáo khắc phục")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="reminders")
    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="reminders")
    subject = models.CharField(max_length=20, choices=Subject.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    deadline = models.DateField()
    recipients = models.TextField(blank=True)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("thư nhắc đã gửi")
        verbose_name_plural = _("thư nhắc đã gửi")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "plan", "subject", "kind", "deadline"], name="reminder_once_per_deadline"
            )
        ]

    def __str__(self):
        return f"{self.unit} {self.subject}/{self.kind} {self.deadline:%d/%m/%Y}"


# --- The visit: evidence, the one-stop desk checklist, the conclusion, remediation -----------------


def evidence_path(instance, filename):
    extension = Path(filename).suffix.lower()
    return f"evidence/{uuid.uuid4().hex}{extension}"


class EvidenceFile(StoredFile):
    """A file backing a finding or a remediation report: same upload rules as self-reports."""

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, null=True, blank=True, related_name="evidence")
    remediation_report = models.ForeignKey(
        "RemediationReport", on_delete=models.PROTECT, null=True, blank=True, related_name="evidence"
    )
    file = models.FileField(upload_to=evidence_path, max_length=255)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tệp minh chứng")
        verbose_name_plural = _("tệp minh chứng")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(finding__isnull=False, remediation_report__isnull=True)
                | models.Q(finding__isnull=True, remediation_report__isnull=False),
                name="evidence_belongs_to_one_thing",
            )
        ]

    def __str__(self):
        return self.original_name


class ChecklistItem(models.Model):
    """A point of the one-stop desk checklist (seed §IV.1), per plan."""

    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="checklist_items")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    text = models.CharField(_("nội dung kiểm tra"), max_length=400)

    class Meta:
        verbose_name = _("nội dung kiểm tra Bộ phận Một cửa")
        verbose_name_plural = _("nội dung kiểm tra Bộ phận Một cửa")
        ordering = ["plan", "order", "pk"]

    def __str__(self):
        return self.text


class ChecklistAnswer(models.Model):
    """The answer at one desk (the district's or one of its communes') during a visit."""

    class Answer(models.TextChoices):
        YES = "yes", _("Có")
        PARTLY = "partly", _("Một phần")
        NO = "no", _("Không")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="checklist_answers")
    desk_unit = models.ForeignKey(
        Unit, verbose_name=_("Bộ phận Một cửa của"), on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="answers")
    answer = models.CharField(_("kết quả"), max_length=8, choices=Answer.choices)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kết quả kiểm tra Bộ phận Một cửa")
        verbose_name_plural = _("kết quả kiểm tra Bộ phận Một cửa")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "desk_unit", "item"], name="one_answer_per_desk_item")
        ]

    def __str__(self):
        return f"{self.desk_unit}: {self.item} = {self.answer}"


class Conclusion(models.Model):
    """The team lead's conclusion for one visit (kết luận kiểm tra). Issuing freezes it and its
    findings; reopening needs a reason, and issuing again makes a new revision."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        ISSUED = "issued", _("Đã ban hành")

    inspection = models.OneToOneField(Inspection, on_delete=models.PROTECT, related_name="conclusion")
    general_assessment = models.TextField(_("đánh giá chung"), blank=True)
    status = models.CharField(_("trạng thái"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kết luận kiểm tra")
        verbose_name_plural = _("kết luận kiểm tra")

    def __str__(self):
        return str(_("Kết luận kiểm tra %(unit)s") % {"unit": self.inspection.unit})

    @property
    def is_issued(self) -> bool:
        return self.status == self.Status.ISSUED


class ConclusionArea(models.Model):
    """The conclusion's summary for one content area (prefilled from the findings, editable)."""

    conclusion = models.ForeignKey(Conclusion, on_delete=models.CASCADE, related_name="areas")
    area = models.ForeignKey(ContentArea, on_delete=models.PROTECT, related_name="+")
    strengths = models.TextField(_("ưu điểm"), blank=True)
    shortcomings = models.TextField(_("tồn tại, hạn chế"), blank=True)
    causes = models.TextField(_("nguyên nhân"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["area__number"]
        constraints = [models.UniqueConstraint(fields=["conclusion", "area"], name="one_summary_per_area")]

    def __str__(self):
        return f"{self.conclusion}: {self.area.number}"


class ConclusionRevision(models.Model):
    """The text of a conclusion as it was issued: kept and readable after any reopening."""

    conclusion = models.ForeignKey(Conclusion, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveSmallIntegerField(_("lần ban hành"))
    snapshot = models.JSONField(_("nội dung đã ban hành"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(_("lý do mở lại"), blank=True)

    class Meta:
        verbose_name = _("bản kết luận đã ban hành")
        verbose_name_plural = _("bản kết luận đã ban hành")
        ordering = ["conclusion", "number"]
        constraints = [models.UniqueConstraint(fields=["conclusion", "number"], name="revision_number_unique")]

    def __str__(self):
        return f"{self.conclusion} (lần {self.number})"


class RemediationAction(models.Model):
    """A request of the conclusion: a shortcoming the unit must fix by a deadline."""

    class Status(models.TextChoices):
        OPEN = "open", _("Chưa báo cáo")
        REPORTED = "reported", _("Đã báo cáo")
        RETURNED = "returned", _("Yêu cầu bổ sung")
        VERIFIED = "verified", _("Đã hoàn thành")

    conclusion = models.ForeignKey(Conclusion, on_delete=models.PROTECT, related_name="actions")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="remediation_actions")
    finding = models.ForeignKey(
        Finding, on_delete=models.PROTECT, null=True, blank=True, related_name="remediation_actions"
    )
    text = models.TextField(_("yêu cầu khắc phục"))
    deadline = models.DateField(_("hạn hoàn thành"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("yêu cầu khắc phục")
        verbose_name_plural = _("yêu cầu khắc phục")
        ordering = ["deadline", "pk"]

    def __str__(self):
        return self.text[:80]

    @property
    def is_overdue(self) -> bool:
        """Derived: past the deadline and not yet verified."""
        return self.status != self.Status.VERIFIED and timezone.localdate() > self.deadline


class RemediationReport(models.Model):
    """The unit's report on one action (text and evidence files)."""

    action = models.ForeignKey(RemediationAction, on_delete=models.PROTECT, related_name="reports")
    text = models.TextField(_("kết quả khắc phục"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("báo cáo khắc phục")
        verbose_name_plural = _("báo cáo khắc phục")
        ordering = ["submitted_at", "pk"]

    def __str__(self):
        return self.text[:80]


class RemediationReview(models.Model):
    """A coordinator's decision on a report: verified, or returned with a comment."""

    class Decision(models.TextChoices):
        VERIFIED = "verified", _("Xác nhận đã hoàn thành")
        RETURNED = "returned", _("Yêu cầu bổ sung")

    action = models.ForeignKey(RemediationAction, on_delete=models.PROTECT, related_name="reviews")
    report = models.ForeignKey(RemediationReport, on_delete=models.PROTECT, related_name="reviews")
    decision = models.CharField(_("quyết định"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("nhận xét"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("thẩm định khắc phục")
        verbose_name_plural = _("thẩm định khắc phục")
        ordering = ["reviewed_at", "pk"]

    def __str__(self):
        return f"{self.get_decision_display()}: {self.action}"
