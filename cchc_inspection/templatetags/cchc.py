import datetime

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def duration(value: datetime.timedelta | None) -> str:
    """A lateness in words: "2 ngày 3 giờ", "45 phút"."""
    if not value:
        return ""
    minutes = int(value.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)s ngày", "%(n)s ngày", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)s giờ", "%(n)s giờ", hours) % {"n": hours})
    if minutes and not days:
        parts.append(ngettext("%(n)s phút", "%(n)s phút", minutes) % {"n": minutes})
    return " ".join(parts) or _("dưới 1 phút")


@register.filter
def days_left(deadline: datetime.date | None, today: datetime.date) -> str:
    """ "còn 5 ngày", "hôm nay", "quá hạn 3 ngày"."""
    if deadline is None:
        return ""
    days = (deadline - today).days
    if days > 0:
        return ngettext("còn %(n)s ngày", "còn %(n)s ngày", days) % {"n": days}
    if days == 0:
        return _("hạn là hôm nay")
    return ngettext("quá hạn %(n)s ngày", "quá hạn %(n)s ngày", -days) % {"n": -days}


@register.filter
def getfield(form, name):
    """A bound field by name, for forms whose fields are built from data."""
    return form[name]


@register.filter
def is_late_on(item, today: datetime.date) -> bool:
    return item.is_late(today)
