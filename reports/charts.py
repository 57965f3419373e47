"""The dashboard's charts: pygal SVG rendered on the server, returned as str.

Each function takes a piece of `reports.summary.summary_data` and, optionally, the URLs of the
lists behind each bar or slice (`links`: key -> URL; a key without a URL is not a link). The SVG
carries no script, no comment and no URL but its own XML namespaces, so it reads the same
without JavaScript and without the internet; values are printed on the bars.
"""

import pygal
from django.utils.translation import gettext as _
from pygal.style import Style

WIDTH, HEIGHT = 640, 360
FONT = "Liberation Sans, DejaVu Sans, sans-serif"

GREEN, BLUE, ORANGE, RED, GREY, LIGHT = "#198754", "#0d6efd", "#fd7e14", "#dc3545", "#6c757d", "#adb5bd"


def _style(*colors: str) -> Style:
    return Style(
        font_family=FONT,
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#212529",
        foreground_strong="#212529",
        foreground_subtle="#dee2e6",
        colors=colors or (BLUE,),
        title_font_size=19,
        label_font_size=15,
        major_label_font_size=15,
        legend_font_size=15,
        value_font_size=16,
        value_label_font_size=15,
        no_data_font_size=18,
        opacity=".9",
        opacity_hover="1",
    )


def _offline(root):
    """Drop pygal's inline config script and its comments (which hold pygal's web addresses), and
    turn style attributes into SVG presentation attributes (the Content-Security-Policy refuses
    inline style attributes; `opacity="0"` is not CSS)."""
    parents = {child: parent for parent in root.iter() for child in parent}
    for node in list(parents):
        tag = node.tag
        if not isinstance(tag, str) or tag.rsplit("}", 1)[-1] == "script":
            parents[node].remove(node)
    for node in root.iter():
        style = node.attrib.pop("style", None) if isinstance(node.tag, str) else None
        for declaration in (style or "").split(";"):
            name, _sep, value = declaration.partition(":")
            if name.strip() and value.strip():
                node.set(name.strip(), value.strip())
    return root


def with_nonce(html: str, nonce: str) -> str:
    """Charts for a web page: their <style> elements carry the request's CSP nonce. `html` is one chart
    or a rendered part of a page holding several (the dashboard's), whose templates have no <style>
    of their own and whose texts are escaped, so every "<style" in it is a chart's."""
    return html.replace("<style", f'<style nonce="{nonce}"') if nonce else html


def _config(**overrides) -> dict:
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "disable_xml_declaration": True,
        "js": [],
        "print_values": True,
        "print_zeroes": False,
        "legend_box_size": 14,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 4,
        "no_data_text": _("Chưa có số liệu"),
        "margin": 16,
        "margin_bottom": 28,  # pygal's legend estimate leaves the second row cut off otherwise
        "truncate_legend": -1,
        **overrides,
    }


def _value(n: int, url: str | None, tooltip: str, color: str | None = None) -> dict:
    value = {"value": n, "label": tooltip}
    if url:
        value["xlink"] = {"href": url}  # no target: opens in the same tab
    if color:
        value["color"] = color
    return value


def _count_axis(largest: int) -> list[int]:
    """Whole numbers on the y axis (counts): at most about six ticks."""
    step = max(1, -(-largest // 5))
    return list(range(0, max(largest, 1) + step, step))


def _render(chart) -> str:
    chart.add_xml_filter(_offline)
    return chart.render(is_unicode=True)


def visits_chart(visits: dict, links: dict | None = None) -> str:
    """Direct inspections done against planned: organisation["visits"].

    links keys: "done", "scheduled", "cancelled", "unscheduled"."""
    links = links or {}
    parts = [
        ("done", _("Đã kiểm tra"), GREEN),
        ("scheduled", _("Đã lên lịch, chưa kiểm tra"), BLUE),
        ("unscheduled", _("Chưa lên lịch"), LIGHT),
        ("cancelled", _("Đã hủy"), GREY),
    ]
    shown = [p for p in parts if visits.get(p[0])]
    chart = pygal.Pie(
        style=_style(*(color for _key, _label, color in shown)),
        inner_radius=0.5,
        **_config(
            title=_("Kiểm tra trực tiếp: %(done)s/%(total)s đơn vị đã kiểm tra")
            % {"done": visits.get("done", 0), "total": visits.get("total", 0)},
            legend_at_bottom_columns=2,
        ),
    )
    for key, label, _color in shown:
        chart.add(f"{label} ({visits[key]})", [_value(visits[key], links.get(key), label)])
    return _render(chart)


def reports_chart(reports: dict, links: dict | None = None, *, title: str | None = None) -> str:
    """Reports on time, late, missing (and not yet due): organisation["reports"] or
    self_inspection["reports"]. links keys: the statuses."""
    links = links or {}
    parts = [
        ("on_time", _("Đúng hạn"), GREEN),
        ("late", _("Muộn"), ORANGE),
        ("missing", _("Chưa gửi (quá hạn)"), RED),
        ("pending", _("Chưa đến hạn"), LIGHT),
        ("not_required", _("Không yêu cầu"), GREY),
    ]
    # On time, late and missing always show; the others only when there are some.
    shown = [p for p in parts if p[0] in ("on_time", "late", "missing") or reports.get(p[0])]
    chart = pygal.Bar(
        style=_style(*(color for _key, _label, color in shown)),
        **_config(
            title=title or _("Báo cáo trước buổi kiểm tra"),
            x_labels=[""],
            y_title=_("Số đơn vị"),
            y_labels=_count_axis(max((reports.get(key, 0) for key, _l, _c in shown), default=0)),
            legend_at_bottom_columns=2,
        ),
    )
    for key, label, _color in shown:
        n = reports.get(key, 0)
        chart.add(f"{label} ({n})", [_value(n, links.get(key), label)])
    return _render(chart)


def findings_by_area_chart(areas: list, links: dict | None = None) -> str:
    """Strengths against shortcomings per content area (visits and self-inspection together):
    the `areas` list. links keys: the area numbers (int)."""
    links = links or {}
    chart = pygal.Bar(
        style=_style(GREEN, RED),
        **_config(
            title=_("Ưu điểm và tồn tại, hạn chế theo nội dung kiểm tra"),
            x_labels=[str(area.number) for area in areas],
            x_title=_("Nội dung kiểm tra (mục)"),
            y_title=_("Số kết quả"),
            y_labels=_count_axis(max((max(a.strengths, a.shortcomings_total) for a in areas), default=0)),
            legend_at_bottom_columns=2,
        ),
    )
    strengths, shortcomings = [], []
    for area in areas:
        url = links.get(area.number)
        title = f"{area.number}. {area.title}"
        strengths.append(_value(area.strengths, url, title))
        shortcomings.append(_value(area.shortcomings_total, url, title))
    chart.add(_("Ưu điểm"), strengths)
    chart.add(_("Tồn tại, hạn chế"), shortcomings)
    return _render(chart)


def remediation_chart(remediation: dict, links: dict | None = None) -> str:
    """Remediation actions per status, and overdue in red: the `remediation` piece.
    links keys: the status values and "overdue"."""
    links = links or {}
    colors = {"open": BLUE, "reported": ORANGE, "returned": GREY, "verified": GREEN}
    entries = [(value, label, n, colors.get(value, BLUE)) for value, label, n in remediation["by_status"]]
    entries.append(("overdue", _("Quá hạn"), remediation["overdue"], RED))
    chart = pygal.Bar(
        style=_style(*(color for *_rest, color in entries)),
        **_config(
            title=_("Yêu cầu khắc phục: %(verified)s/%(total)s đã hoàn thành")
            % {"verified": remediation["verified"], "total": remediation["total"]},
            x_labels=[""],
            y_title=_("Số yêu cầu"),
            y_labels=_count_axis(max((n for _k, _l, n, _c in entries), default=0)),
            legend_at_bottom_columns=3,
        ),
    )
    for key, label, n, _color in entries:
        chart.add(f"{label} ({n})", [_value(n, links.get(key), str(label))])
    return _render(chart)
