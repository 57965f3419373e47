"""Login and session hardening: password length rules, session timeouts, the security log.

Everything that happens around signing in is written to the `cchc.security` logger with who
(username), where (IP, method, path) and what (`event`); the record's own timestamp says when.
The signal receivers are connected by `CchcConfig.ready()`.
"""

import logging
import math
import time

from axes.helpers import get_client_ip_address, get_cool_off
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import F
from django.db.models.signals import post_save
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

logger = logging.getLogger("cchc.security")

# Session keys (seconds since the epoch, as JSON numbers).
SESSION_LOGIN_AT = "_cchc_login_at"
SESSION_LAST_SEEN = "_cchc_last_seen"


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with a Vietnamese message (Django 5.2 changed the msgid; its vi catalogue lags)."""

    def get_error_message(self):
        return ngettext(
            "Mật khẩu quá ngắn. Mật khẩu phải có ít nhất %(min_length)d ký tự.",
            "Mật khẩu quá ngắn. Mật khẩu phải có ít nhất %(min_length)d ký tự.",
            self.min_length,
        ) % {"min_length": self.min_length}


class MaximumLengthValidator:
    """Refuse passwords longer than `max_length` (hashing very long inputs costs CPU)."""

    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "Mật khẩu quá dài. Mật khẩu chỉ được có tối đa %(max_length)d ký tự.",
                    "Mật khẩu quá dài. Mật khẩu chỉ được có tối đa %(max_length)d ký tự.",
                    self.max_length,
                ),
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self):
        return ngettext(
            "Mật khẩu có tối đa %(max_length)d ký tự.",
            "Mật khẩu có tối đa %(max_length)d ký tự.",
            self.max_length,
        ) % {"max_length": self.max_length}


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' lockout page (AXES_LOCKOUT_CALLABLE), telling the cool-off in whole minutes."""
    cool_off = get_cool_off(request)
    return render(
        request,
        "registration/locked.html",
        {"cooloff_minutes": math.ceil(cool_off.total_seconds() / 60) if cool_off else None},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


def client_where(request) -> dict:
    """IP (as django-axes sees it, so proxies are handled the same way), method and path."""
    if request is None:
        return {"ip": None, "method": None, "path": None}
    ip = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    return {"ip": ip, "method": request.method, "path": request.path}


def log_event(event: str, request, username: str | None, level: int = logging.INFO, **extra) -> None:
    where = client_where(request)
    fields = {"event": event, "username": username or "", **where, **extra}
    logger.log(
        level,
        "%s username=%s ip=%s method=%s path=%s%s",
        event,
        fields["username"],
        where["ip"],
        where["method"],
        where["path"],
        "".join(f" {key}={value}" for key, value in extra.items()),
        extra=fields,
    )


def sessions_end_all(user) -> None:
    """End every session of `user`: they carry a hash that includes the generation bumped here."""
    User = get_user_model()
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    # Keep the instance in step, so a later save() does not write the old generation back
    # (read from the database written to, not a lagging replica).
    user.refresh_from_db(fields=["session_generation"], using=router.db_for_write(User, instance=user))


def on_user_logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SESSION_LOGIN_AT] = now
        request.session[SESSION_LAST_SEEN] = now
    log_event("login", request, user.get_username())


def on_user_logged_out(sender, request, user, **kwargs):
    if user is None:
        return
    log_event("logout", request, user.get_username())
    # Logging out here logs out everywhere: a session left open on a shared or lost device ends too.
    sessions_end_all(user)


def on_user_login_failed(sender, credentials, request=None, **kwargs):
    username = credentials.get("username") or credentials.get(get_user_model().USERNAME_FIELD)
    log_event("login_failed", request, username, level=logging.WARNING)


def on_user_locked_out(sender, request, username, ip_address, **kwargs):
    log_event("lockout", request, username, level=logging.WARNING)


def on_user_saved(sender, instance, created, **kwargs):
    # A deactivated account keeps no live session, even if it is reactivated later.
    if not created and not instance.is_active:
        sessions_end_all(instance)


def connect_signals() -> None:
    user_logged_in.connect(on_user_logged_in, dispatch_uid="cchc.security.logged_in")
    user_logged_out.connect(on_user_logged_out, dispatch_uid="cchc.security.logged_out")
    user_login_failed.connect(on_user_login_failed, dispatch_uid="cchc.security.login_failed")
    user_locked_out.connect(on_user_locked_out, dispatch_uid="cchc.security.locked_out")
    post_save.connect(on_user_saved, sender=get_user_model(), dispatch_uid="cchc.security.user_saved")


LAST_SEEN_RESOLUTION = 60  # seconds


class SessionTimeoutMiddleware:
    """End a signed-in session SESSION_IDLE_TIMEOUT s after its last request or SESSION_ABSOLUTE_TIMEOUT s
    after login; pages that need a login then send the user to it with a message.

    Goes after AuthenticationMiddleware and MessageMiddleware. Anonymous requests pass untouched, and
    public views (the login page, the ICS feeds) carry on as anonymous when the session has expired.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        now = time.time()
        session = request.session
        # Sessions opened before this middleware existed start counting now.
        login_at = session.setdefault(SESSION_LOGIN_AT, now)
        last_seen = session.get(SESSION_LAST_SEEN, now)
        idle = now - last_seen > settings.SESSION_IDLE_TIMEOUT
        too_old = now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT
        if not (idle or too_old):
            # Written at most once a minute: a session save on every request would cost a database
            # write per page; the idle timeout is then exact to within a minute.
            if now - last_seen >= LAST_SEEN_RESOLUTION or SESSION_LAST_SEEN not in session:
                session[SESSION_LAST_SEEN] = now
            return None
        log_event("session_expired", request, request.user.get_username(), reason="idle" if idle else "absolute")
        # Only this session ends (no logout signal): an idle laptop must not sign the desktop out.
        session.flush()
        request.user = AnonymousUser()
        if not getattr(view_func, "login_required", True):
            return None
        messages.warning(request, _("Phiên làm việc đã hết hạn, vui lòng đăng nhập lại."))
        return redirect_to_login(request.get_full_path())


class RefusalLogMiddleware:
    """Log 403 and 404 responses given to signed-in users: someone reaching for what is not theirs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (403, 404):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                log_event("refused", request, user.get_username(), level=logging.WARNING, status=response.status_code)
        return response
