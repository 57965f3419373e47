"""The provincial summary report (Báo cáo kết quả kiểm tra công tác CCHC năm YYYY) as PDF, Excel and Word.

Sở Nội vụ's report to the provincial People's Committee (seed §V.1). Every function takes the dict of
`reports.summary.summary_data` and returns bytes; `summary_body` writes the text once, as blocks, for
both the PDF and the Word file, and `summary_tables` gives the tables the workbook holds (one sheet
each) and the documents print. The wording is plain Vietnamese: documents are always issued in
Vietnamese, whatever language the session is in.
"""

import datetime
import re
import warnings
from dataclasses import dataclass, field
from io import BytesIO

from django.utils import timezone, translation
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table as ExcelTable
from openpyxl.worksheet.table import TableStyleInfo

from inspections.models import InspectionTeam, RemediationAction
from reports import docx_layout as layout
from reports.appendix_excel import format_number
from reports.charts import findings_by_area_chart, remediation_chart, reports_chart, visits_chart
from reports.pdf import format_date, place_date_line, render_pdf, short_issuing_body
from units.models import Unit

AUTHORITY = "SỞ NỘI VỤ"
DOCUMENT_NUMBER = "Số:      /BC-SNV"
SIGNER_TITLE = "GIÁM ĐỐC"
BLANK = "\u00a0" * 6  # blanks to fill by hand: neither HTML nor Word collapses them
DATE_FORMAT = "DD/MM/YYYY"
LANDSCAPE_TEXT_WIDTH_MM = 297 - 20 - 15

# The section each chart of summary_charts goes in; a chart with another name goes after section IV.
CHART_PLACES = {"visits": "I", "reports": "I", "areas": "II", "self_reports": "III", "remediation": "IV"}


@dataclass
class Table:
    """One table: a sheet of the workbook and a table of the documents."""

    sheet: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)  # str, int, date or None
    widths: list[float] = field(default_factory=list)  # Excel character widths, one per column

    @property
    def display_rows(self) -> list[list[str]]:
        return [[display(value) for value in row] for row in self.rows]

    @property
    def percent_widths(self) -> list[str]:
        """Column widths for the documents, in proportion to the Excel widths."""
        total = sum(self.widths) or 1
        return [f"{100 * width / total:.1f}%" for width in self.widths]

    @property
    def display_cells(self) -> list[list[tuple[str, str]]]:
        """(text, alignment class: "right" for numbers, "date" for dates, or "") per cell, for the PDF."""
        numeric = self.numeric
        return [
            [
                (
                    display(value),
                    "date" if isinstance(value, datetime.date) else "right" if numeric[i] and i > 0 else "",
                )
                for i, value in enumerate(row)
            ]
            for row in self.rows
        ]

    @property
    def numeric(self) -> list[bool]:
        """Columns holding only whole numbers (right-aligned in the documents)."""
        return [
            all(isinstance(row[i], int) or row[i] is None for row in self.rows) and bool(self.rows)
            for i in range(len(self.headers))
        ]


def display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, int):
        return format_number(value)
    if isinstance(value, datetime.date):
        return format_date(value)
    return str(value)


def _local_date(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment else None


def _names(units) -> str:
    return ", ".join(u.short_name or u.name for u in units)


def _count_parts(parts: list[tuple[int, str]], *, keep_first=True) -> str:
    """ "3 đơn vị đúng hạn, 1 đơn vị muộn": zero counts left out (the first kept if asked)."""
    shown = [f"{format_number(n)} {text}" for i, (n, text) in enumerate(parts) if n or (keep_first and i == 0)]
    return ", ".join(shown)


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip(".;").casefold()


def common_texts(items: list[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    """Shortcomings said alike of several units, most frequent first: [(text, [unit names])]."""
    groups: dict[str, tuple[str, list[str]]] = {}
    for unit_name, text in items:
        key = _normalised(text)
        if not key:
            continue
        first_text, units = groups.setdefault(key, (" ".join(text.split()).rstrip(".;"), []))
        if unit_name not in units:
            units.append(unit_name)
    ordered = sorted(enumerate(groups.values()), key=lambda pair: (-len(pair[1][1]), pair[0]))
    return [group for _index, group in ordered]


# --- The tables ------------------------------------------------------------------------------


def summary_tables(data: dict) -> dict[str, Table]:
    """The five tables: organisation, areas, self_inspection, remediation, annex (labels in Vietnamese)."""
    with translation.override("vi"):
        return _tables(data)


def _tables(data: dict) -> dict[str, Table]:
    organisation = data["organisation"]
    # Each kind's label translated once, not once a row (get_kind_display: 3,678 rows nationally).
    kind_label = {value: str(label) for value, label in Unit.Kind.choices}
    organisation_table = Table(
        sheet="Tổ chức",
        headers=[
            "STT",
            "Đơn vị kiểm tra trực tiếp",
            "Ngày kiểm tra",
            "Tình trạng",
            "Báo cáo trước buổi kiểm tra",
            "Hạn gửi báo cáo",
            "Ngày gửi báo cáo",
            "Số bộ bản giấy đã nhận",
            "Số bộ bản giấy yêu cầu",
        ],
        widths=[6, 45, 14, 16, 22, 15, 15, 12, 12],
    )
    for number, row in enumerate(organisation["direct"], start=1):
        organisation_table.rows.append(
            [
                number,
                row.unit.name,
                row.visit_date,
                row.visit_status_label,
                row.report.label,
                row.report.due_date,
                _local_date(row.report.received_at),
                row.copies_received if row.inspection else None,
                row.copies_required,
            ]
        )

    areas_table = Table(
        sheet="Nội dung",
        headers=[
            "STT",
            "Nội dung kiểm tra",
            "Ưu điểm (kiểm tra trực tiếp)",
            "Tồn tại, hạn chế (kiểm tra trực tiếp)",
            "Ưu điểm (tự kiểm tra)",
            "Tồn tại, hạn chế (tự kiểm tra)",
            "Tổng số ưu điểm",
            "Tổng số tồn tại, hạn chế",
        ],
        widths=[6, 60, 14, 14, 14, 14, 12, 12],
    )
    for area in data["areas"]:
        areas_table.rows.append(
            [
                area.number,
                area.title,
                area.visit_strengths,
                area.visit_shortcomings,
                area.self_strengths,
                area.self_shortcomings,
                area.strengths,
                area.shortcomings_total,
            ]
        )

    self_inspection = data["self_inspection"]
    self_table = Table(
        sheet="Tự kiểm tra",
        headers=[
            "STT",
            "Đơn vị tự kiểm tra",
            "Loại đơn vị",
            "Kế hoạch tự kiểm tra",
            "Báo cáo kết quả tự kiểm tra",
            "Hạn báo cáo",
            "Ngày gửi báo cáo",
            "Số ưu điểm",
            "Số tồn tại, hạn chế",
            "Số đơn vị trực thuộc đã tự kiểm tra",
            "Tổng số đơn vị trực thuộc",
            "Tỷ lệ tự kiểm tra (%)",
            "Tỷ lệ tối thiểu (%)",
            "Đánh giá tỷ lệ",
        ],
        widths=[6, 45, 18, 14, 22, 13, 15, 10, 10, 14, 12, 11, 11, 14],
    )
    for number, row in enumerate(self_inspection["rows"], start=1):
        coverage = row.coverage
        self_table.rows.append(
            [
                number,
                row.unit.name,
                kind_label[row.unit.kind],
                "Đã gửi" if row.plan_sent else "Chưa gửi",
                row.report.label,
                row.report.due_date,
                _local_date(row.report.received_at),
                row.strengths,
                row.shortcomings,
                coverage.inspected if coverage else None,
                coverage.total if coverage else None,
                coverage.percent if coverage else None,
                coverage.minimum if coverage else None,
                _coverage_label(coverage),
            ]
        )

    remediation = data["remediation"]
    statuses = [(value, str(label)) for value, label in RemediationAction.Status.choices]
    remediation_table = Table(
        sheet="Khắc phục",
        headers=["STT", "Đơn vị", "Tổng số yêu cầu khắc phục", *[label for _value, label in statuses], "Quá hạn"],
        widths=[6, 45, 14, *[14] * len(statuses), 10],
    )
    for number, row in enumerate(remediation["rows"], start=1):
        remediation_table.rows.append(
            [number, row.unit_name, row.total, *[row.counts.get(value, 0) for value, _label in statuses], row.overdue]
        )

    annex_table = Table(
        sheet="Phụ lục đơn vị",
        headers=[
            "STT",
            "Đơn vị",
            "Loại đơn vị",
            "Hình thức",
            "Ngày kiểm tra",
            "Tình trạng buổi kiểm tra",
            "Báo cáo trước buổi kiểm tra",
            "Bản giấy đã nhận",
            "Bản giấy yêu cầu",
            "Báo cáo kết quả tự kiểm tra",
            "Tỷ lệ tự kiểm tra (%)",
            "Số tồn tại, hạn chế",
            "Yêu cầu khắc phục",
            "Đã hoàn thành",
            "Chưa hoàn thành",
            "Quá hạn",
        ],
        widths=[6, 45, 18, 16, 13, 16, 20, 10, 10, 20, 11, 10, 10, 10, 10, 9],
    )
    for number, row in enumerate(data["annex"], start=1):
        annex_table.rows.append(
            [
                number,
                row.unit.name,
                kind_label[row.unit.kind],
                row.form_label,
                row.visit_date,
                row.visit_status_label,
                row.report.label if row.report else "",
                row.copies_received,
                row.copies_required,
                row.self_report.label if row.self_report else "",
                row.coverage.percent if row.coverage else None,
                row.shortcomings,
                row.actions_total,
                row.actions_verified,
                row.actions_open,
                row.actions_overdue,
            ]
        )

    return {
        "organisation": organisation_table,
        "areas": areas_table,
        "self_inspection": self_table,
        "remediation": remediation_table,
        "annex": annex_table,
    }


def _coverage_label(coverage) -> str:
    if coverage is None:
        return ""
    if coverage.total == 0:
        return "Không có đơn vị trực thuộc"
    return "Chưa đạt" if coverage.below_minimum else "Đạt"


def _document_table(table: Table, columns: list[int], headers: list[str] | None = None) -> Table:
    """A narrower copy of a table for a portrait page: some of its columns, shorter headers."""
    return Table(
        sheet=table.sheet,
        headers=headers or [table.headers[i] for i in columns],
        rows=[[row[i] for i in columns] for row in table.rows],
        widths=[table.widths[i] for i in columns],
    )


# --- The text, once for the PDF and the Word file ---------------------------------------------


def summary_context(data: dict) -> dict:
    """What the header, the title and the footer print."""
    plan = data["plan"]
    team = InspectionTeam.objects.filter(plan=plan).first()
    return {
        "year": plan.year,
        "issuing_body": short_issuing_body(plan.issuing_body),
        "authority": AUTHORITY,
        "document_number": DOCUMENT_NUMBER,
        "place_date": place_date_line(plan.place, data["today"]),
        "title": f"Kết quả kiểm tra công tác cải cách hành chính năm {plan.year}",
        "addressee": f"Ủy ban nhân dân tỉnh {plan.place}",
        "plan_number_symbol": plan.number_symbol,
        "plan_issue_date": format_date(plan.issue_date) if plan.issue_date else f"{BLANK}/{BLANK}/{plan.year}",
        "decision_number": team.decision_number if team else "",
        "decision_date": format_date(team.decision_date) if team and team.decision_date else "",
        "signer_title": SIGNER_TITLE,
        "recipients": [
            "Như trên;",
            "Chủ tịch, các PCT UBND tỉnh (để b/c);",
            "Văn phòng UBND tỉnh;",
            "Các thành viên Đoàn Kiểm tra;",
            "Lưu: VT, CCHC.",
        ],
        "annex_title": f"Kết quả kiểm tra công tác cải cách hành chính năm {plan.year} của các cơ quan, đơn vị",
        "annex_reference": (
            f"(Kèm theo Báo cáo số{BLANK}/BC-SNV ngày{BLANK}/{BLANK}/{data['today'].year} của Sở Nội vụ)"
        ),
    }


def summary_body(
    data: dict, *, tables: dict[str, Table] | None = None, context: dict | None = None, chart_names=()
) -> list[tuple[str, object]]:
    """The body as blocks: ("h1"|"h2"|"para"|"bullet", text), ("table", Table) or ("chart", name);
    a chart's name places it in its section (CHART_PLACES)."""
    tables = tables if tables is not None else summary_tables(data)
    context = context if context is not None else summary_context(data)
    with translation.override("vi"):
        return _body(data, tables, context, chart_names)


def _body(data: dict, tables: dict[str, Table], context: dict, chart_names) -> list[tuple[str, object]]:
    plan = data["plan"]
    organisation = data["organisation"]
    self_inspection = data["self_inspection"]
    remediation = data["remediation"]
    today = format_date(data["today"])
    charts_at: dict[str, list[str]] = {}
    for name in chart_names:
        charts_at.setdefault(CHART_PLACES.get(name, "IV"), []).append(name)
    blocks: list[tuple[str, object]] = []
    add = blocks.append

    basis = (
        f"Thực hiện Kế hoạch số {plan.number_symbol} ngày {context['plan_issue_date']} của Ủy ban nhân dân tỉnh "
        f"về kiểm tra việc thực hiện công tác cải cách hành chính năm {plan.year} trên địa bàn tỉnh {plan.place}"
    )
    if context["decision_number"]:
        basis += (
            f" và Quyết định số {context['decision_number']}"
            + (f" ngày {context['decision_date']}" if context["decision_date"] else "")
            + " của Ủy ban nhân dân tỉnh về việc thành lập Đoàn Kiểm tra"
        )
    add(("para", basis + ", Sở Nội vụ báo cáo kết quả kiểm tra như sau:"))

    # --- I ---
    add(("h1", "I. CÔNG TÁC TỔ CHỨC KIỂM TRA"))
    add(("h2", "1. Kiểm tra trực tiếp"))
    visits = organisation["visits"]
    direct_count = organisation["direct_count"]
    if direct_count:
        progress = _count_parts(
            [
                (visits["done"], "đơn vị đã được kiểm tra"),
                (visits["scheduled"], "đơn vị đã có lịch, chưa kiểm tra"),
                (visits["unscheduled"], "đơn vị chưa lên lịch"),
                (visits["cancelled"], "buổi kiểm tra đã hủy"),
            ]
        )
        add(
            (
                "para",
                f"Theo Kế hoạch, Đoàn Kiểm tra kiểm tra trực tiếp {format_number(direct_count)} cơ quan, đơn vị. "
                f"Đến ngày {today}: {progress}.",
            )
        )
        add(
            (
                "table",
                _document_table(
                    tables["organisation"],
                    [0, 1, 2, 3, 4, 7],
                    ["STT", "Đơn vị", "Ngày kiểm tra", "Tình trạng", "Báo cáo", "Bản giấy đã nhận"],
                ),
            )
        )
    else:
        add(("para", "Kế hoạch chưa xác định đơn vị kiểm tra trực tiếp."))

    add(("h2", "2. Việc gửi báo cáo và bản giấy của đơn vị được kiểm tra trực tiếp"))
    reports = organisation["reports"]
    if direct_count:
        add(
            (
                "para",
                f"Các đơn vị gửi báo cáo theo Đề cương, Phụ lục trước ngày kiểm tra {plan.report_lead_days:02d} ngày: "
                + _count_parts(
                    [
                        (reports["on_time"], "đơn vị gửi đúng hạn"),
                        (reports["late"], "đơn vị gửi muộn"),
                        (reports["missing"], "đơn vị chưa gửi (đã quá hạn)"),
                        (reports["pending"], "đơn vị chưa đến hạn gửi"),
                        (reports["not_required"], "đơn vị không phải gửi (buổi kiểm tra đã hủy)"),
                    ]
                )
                + ".",
            )
        )
        for status, label in (("late", "Đơn vị gửi muộn"), ("missing", "Đơn vị chưa gửi")):
            units = [r.unit for r in organisation["direct"] if r.report.status == status]
            if units:
                add(("bullet", f"{label}: {_names(units)}."))
        short = organisation["copies_short"]
        copies = f"{organisation['copies_required']:02d}"
        if short:
            details = ", ".join(
                f"{r.unit.short_name or r.unit.name} ({r.copies_received}/{r.copies_required} bộ)" for r in short
            )
            add(
                (
                    "para",
                    f"Mỗi đơn vị gửi {copies} bộ báo cáo bằng giấy; {len(short)} đơn vị chưa gửi đủ: {details}.",
                )
            )
        elif any(r.inspection for r in organisation["direct"]):
            add(("para", f"Các đơn vị đã có lịch kiểm tra đều đã gửi đủ {copies} bộ báo cáo bằng giấy."))

    add(("h2", "3. Tự kiểm tra"))
    self_units = organisation["self_inspecting"]
    departments = sum(1 for u in self_units if u.kind == Unit.Kind.DEPARTMENT)
    districts = sum(1 for u in self_units if u.kind == Unit.Kind.DISTRICT)
    if self_units:
        add(
            (
                "para",
                f"{format_number(len(self_units))} cơ quan, đơn vị không thuộc đối tượng kiểm tra trực tiếp "
                f"({departments} sở, ban, ngành và {districts} UBND cấp huyện) tự kiểm tra tại đơn vị và các đơn vị "
                f"trực thuộc theo Kế hoạch, báo cáo kết quả về Sở Nội vụ trước ngày "
                f"{format_date(plan.self_inspection_deadline)}.",
            )
        )
    else:
        add(("para", "Không có cơ quan, đơn vị thuộc diện tự kiểm tra."))
    blocks.extend(("chart", name) for name in charts_at.get("I", []))

    # --- II ---
    add(("h1", "II. KẾT QUẢ KIỂM TRA THEO NỘI DUNG"))
    strengths = sum(a.strengths for a in data["areas"])
    shortcomings = sum(a.shortcomings_total for a in data["areas"])
    add(
        (
            "para",
            f"Qua kiểm tra trực tiếp và tự kiểm tra, đã ghi nhận {format_number(strengths)} ưu điểm và "
            f"{format_number(shortcomings)} tồn tại, hạn chế thuộc {len(data['areas'])} nội dung kiểm tra, cụ thể:",
        )
    )
    if data["areas"]:
        add(
            (
                "table",
                _document_table(
                    tables["areas"],
                    [0, 1, 2, 3, 4, 5],
                    ["STT", "Nội dung kiểm tra", "Ưu điểm (KTTT)", "Tồn tại (KTTT)", "Ưu điểm (TKT)", "Tồn tại (TKT)"],
                ),
            )
        )
        add(("para", "(KTTT: kiểm tra trực tiếp; TKT: tự kiểm tra.)"))
    for area in data["areas"]:
        add(("h2", f"{area.number}. {area.title}"))
        add(
            (
                "para",
                f"Ưu điểm: {format_number(area.visit_strengths)} qua kiểm tra trực tiếp, "
                f"{format_number(area.self_strengths)} qua tự kiểm tra.",
            )
        )
        if not area.shortcomings_total:
            add(("para", "Tồn tại, hạn chế: không ghi nhận."))
            continue
        add(
            (
                "para",
                f"Tồn tại, hạn chế: {format_number(area.visit_shortcomings)} qua kiểm tra trực tiếp, "
                f"{format_number(area.self_shortcomings)} qua tự kiểm tra; các tồn tại, hạn chế chủ yếu:",
            )
        )
        for text, units in common_texts(area.shortcomings + area.self_shortcoming_texts):
            who = f"{len(units)} đơn vị: {', '.join(units)}" if len(units) > 1 else units[0]
            add(("bullet", f"{text} ({who})."))
    blocks.extend(("chart", name) for name in charts_at.get("II", []))

    # --- III ---
    add(("h1", "III. KẾT QUẢ TỰ KIỂM TRA"))
    add(("h2", "1. Việc gửi kế hoạch và báo cáo kết quả tự kiểm tra"))
    rows = self_inspection["rows"]
    self_reports = self_inspection["reports"]
    if rows:
        plans_sent = sum(1 for r in rows if r.plan_sent)
        add(
            (
                "para",
                f"{plans_sent}/{len(rows)} đơn vị đã gửi kế hoạch tự kiểm tra. Báo cáo kết quả tự kiểm tra "
                f"(hạn {format_date(plan.self_inspection_deadline)}): "
                + _count_parts(
                    [
                        (self_reports["on_time"], "đơn vị gửi đúng hạn"),
                        (self_reports["late"], "đơn vị gửi muộn"),
                        (self_reports["missing"], "đơn vị chưa gửi (đã quá hạn)"),
                        (self_reports["pending"], "đơn vị chưa đến hạn gửi"),
                    ]
                )
                + ".",
            )
        )
        for status, label in (("late", "Đơn vị gửi muộn"), ("missing", "Đơn vị chưa gửi")):
            units = [r.unit for r in rows if r.report.status == status]
            if units:
                add(("bullet", f"{label}: {_names(units)}."))
        add(
            (
                "para",
                f"Qua tự kiểm tra, các đơn vị ghi nhận {format_number(sum(r.strengths for r in rows))} ưu điểm và "
                f"{format_number(sum(r.shortcomings for r in rows))} tồn tại, hạn chế.",
            )
        )
    else:
        add(("para", "Không có cơ quan, đơn vị thuộc diện tự kiểm tra."))

    add(("h2", "2. Tỷ lệ tự kiểm tra của UBND cấp huyện"))
    coverages = self_inspection["coverages"]
    minimum = self_inspection["min_ratio"]
    if coverages:
        below = self_inspection["below_minimum"]
        text = (
            f"Theo Kế hoạch, UBND cấp huyện tự kiểm tra ít nhất {minimum}% cơ quan, đơn vị trực thuộc: "
            f"{len(coverages) - len(below)}/{len(coverages)} huyện đạt"
        )
        if below:
            text += "; chưa đạt: " + ", ".join(
                f"{c.district.short_name or c.district.name} ({c.percent}%)" for c in below
            )
        add(("para", text + "."))
        coverage_table = Table(
            sheet="Tỷ lệ tự kiểm tra",
            headers=["STT", "Đơn vị", "Đã tự kiểm tra", "Tổng số đơn vị trực thuộc", "Tỷ lệ (%)", "Đánh giá"],
            rows=[
                [i, c.district.name, c.inspected, c.total, c.percent, _coverage_label(c)]
                for i, c in enumerate(coverages, start=1)
            ],
            widths=[6, 45, 14, 14, 10, 14],
        )
        add(("table", coverage_table))
    else:
        add(("para", "Không có UBND cấp huyện thuộc diện tự kiểm tra."))
    blocks.extend(("chart", name) for name in charts_at.get("III", []))

    # --- IV ---
    add(("h1", "IV. KẾT QUẢ KHẮC PHỤC TỒN TẠI, HẠN CHẾ"))
    if remediation["total"]:
        add(
            (
                "para",
                f"Đoàn Kiểm tra đã yêu cầu khắc phục {format_number(remediation['total'])} nội dung; "
                f"đến ngày {today}, {format_number(remediation['verified'])} nội dung đã hoàn thành, "
                f"{format_number(remediation['open'])} nội dung chưa hoàn thành "
                f"(trong đó {format_number(remediation['overdue'])} nội dung quá hạn). Hạn báo cáo kết quả khắc phục "
                f"theo Kế hoạch: {format_date(plan.remediation_deadline)}.",
            )
        )
        add(
            (
                "para",
                "Theo trạng thái: "
                + "; ".join(f"{label}: {format_number(n)}" for _value, label, n in remediation["by_status"])
                + ".",
            )
        )
        add(("table", tables["remediation"]))
    else:
        add(("para", "Chưa có yêu cầu khắc phục nào."))
    blocks.extend(("chart", name) for name in charts_at.get("IV", []))

    # --- V ---
    add(("h1", "V. KIẾN NGHỊ, ĐỀ XUẤT"))
    recommendations = [line.strip() for line in (data.get("recommendations") or "").splitlines() if line.strip()]
    if recommendations:
        blocks.extend(("para", line) for line in recommendations)
    else:
        blocks.extend(("para", "." * 120) for _ in range(3))

    add(
        (
            "para",
            f"Trên đây là báo cáo kết quả kiểm tra công tác cải cách hành chính năm {plan.year}, Sở Nội vụ kính báo "
            f"cáo Ủy ban nhân dân tỉnh xem xét, chỉ đạo./.",
        )
    )
    return blocks


# --- PDF -------------------------------------------------------------------------------------


def _inline_svg(svg: str, prefix: str) -> str:
    """An SVG document as an element of the HTML page: no XML declaration or doctype, and its ids
    (and what refers to them) prefixed, so that several charts on one page do not share an anchor."""
    svg = re.sub(r"^\s*<\?xml[^>]*\?>", "", svg)
    svg = re.sub(r"^\s*<!DOCTYPE[^>]*>", "", svg, flags=re.IGNORECASE).strip()
    for element_id in sorted(set(re.findall(r'\sid="([^"]+)"', svg)), key=len, reverse=True):
        escaped = re.escape(element_id)
        svg = re.sub(rf'(\sid=")({escaped})(")', rf"\g<1>{prefix}-\g<2>\g<3>", svg)
        svg = re.sub(rf"#({escaped})(?![\w-])", rf"#{prefix}-\g<1>", svg)
    return svg


def summary_charts(data: dict) -> dict[str, str]:
    """The dashboard's charts (reports.charts), in Vietnamese and without links, for the PDF."""
    with translation.override("vi"):
        return {
            "visits": visits_chart(data["organisation"]["visits"]),
            "reports": reports_chart(data["organisation"]["reports"]),
            "areas": findings_by_area_chart(data["areas"]),
            "self_reports": reports_chart(data["self_inspection"]["reports"], title="Báo cáo kết quả tự kiểm tra"),
            "remediation": remediation_chart(data["remediation"]),
        }


def summary_pdf(data: dict, charts: dict[str, str] | None = None) -> bytes:
    """The report on A4, with the annex of every unit on landscape pages; `charts` maps a chart's
    name to its SVG (printed inline, in the section the name belongs to: CHART_PLACES)."""
    svgs = {name: _inline_svg(svg, f"chart-{name}") for name, svg in (charts or {}).items() if svg}
    tables = summary_tables(data)
    context = summary_context(data)
    body: list[tuple[str, object]] = []
    for style, content in summary_body(data, tables=tables, context=context, chart_names=list(svgs)):
        if style != "chart":
            body.append((style, content))
        elif body and body[-1][0] == "charts" and len(body[-1][1]) < 2:
            body[-1][1].append(svgs[content])  # two charts side by side
        else:
            body.append(("charts", [svgs[content]]))
    return render_pdf(
        "reports/pdf/summary_report.html",
        {**context, "body": body, "annex": tables["annex"]},
    )


# --- Excel -----------------------------------------------------------------------------------

HEADER_FONT = Font(name=layout.FONT, bold=True)
HEADER_FILL = PatternFill(fill_type="solid", start_color="D9D9D9", end_color="D9D9D9")
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
TABLE_STYLE = "TableStyleLight15"  # Excel's light style with every border drawn


def _xlsx_date_style(sheet) -> StyleArray:
    """The one style data cells carry: dates shown dd/mm/yyyy. Registered in the workbook once."""
    cell = WriteOnlyCell(sheet)
    cell.number_format = DATE_FORMAT
    return cell._style


def _xlsx_row(sheet, row, date_style: StyleArray) -> list:
    """Plain values, as Excel reads them best; a date as a date cell with its format. Borders and
    banding come from the sheet's Excel table style, not from each cell: styling every cell cost
    the workbook twice the time of the values alone (bench/documents.py)."""
    values = []
    for value in row:
        if isinstance(value, bool):
            value = "Có" if value else "Không"
        elif isinstance(value, datetime.date):
            cell = WriteOnlyCell(sheet, value=value)
            # One style array shared by every date cell: a write-only cell is written out as soon
            # as its row is appended, and nothing changes the array after.
            cell._style = date_style
            value = cell
        values.append(value)
    return values


def summary_xlsx(data: dict) -> bytes:
    """One sheet per table (write-only: rows go straight to the file), each an Excel table (filter
    buttons, banded rows with borders) under a frozen bold header; dates are real dates, whole
    numbers real numbers."""
    tables = summary_tables(data)
    workbook = Workbook(write_only=True)
    workbook.properties.title = f"Báo cáo kết quả kiểm tra công tác CCHC năm {data['plan'].year}"
    workbook.properties.creator = "cchc-inspection"
    date_style = None
    for number, table in enumerate(tables.values(), start=1):
        sheet = workbook.create_sheet(table.sheet)
        last_column = get_column_letter(len(table.headers))
        ref = f"A1:{last_column}{len(table.rows) + 1}"
        # Write-only sheets take their column widths, panes and table before any row.
        for index, width in enumerate(table.widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        sheet.print_title_rows = "1:1"
        if table.rows and len(set(table.headers)) == len(table.headers):
            excel_table = ExcelTable(displayName=f"Bang{number}", ref=ref)
            excel_table._initialise_columns()
            for column, text in zip(excel_table.tableColumns, table.headers, strict=True):
                column.name = text
            excel_table.tableStyleInfo = TableStyleInfo(name=TABLE_STYLE, showRowStripes=True)
            with warnings.catch_warnings():
                # openpyxl always warns in write-only mode that the columns must be named by
                # hand: they are, above.
                warnings.filterwarnings("ignore", "In write-only mode you must add table columns manually")
                sheet.add_table(excel_table)
        else:
            sheet.auto_filter.ref = ref
        header = []
        for text in table.headers:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font, cell.fill, cell.alignment, cell.border = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT, BORDER
            header.append(cell)
        sheet.append(header)
        date_style = date_style or _xlsx_date_style(sheet)
        for row in table.rows:
            sheet.append(_xlsx_row(sheet, row, date_style))
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


# --- Word ------------------------------------------------------------------------------------


# Children of w:pPr that must follow w:pBdr (ECMA-376 order), for the short rules under headings.
def _grid(document, table: Table, text_width_mm: float, size=11):
    """A bordered data table, its widths in proportion to the Excel widths, the header repeated on each page."""
    total = sum(table.widths) or 1
    widths = [text_width_mm * w / total for w in table.widths]
    grid = layout.layout_table(document, widths, rows=len(table.rows) + 1)
    grid.style = "Table Grid"
    numeric = table.numeric
    for column, text in enumerate(table.headers):
        layout.paragraph(layout.cell(grid, 0, column), text, size, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    header_properties = grid.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header_properties.append(repeat)
    for index, row in enumerate(table.display_rows, start=1):
        for column, text in enumerate(row):
            align = WD_ALIGN_PARAGRAPH.RIGHT if numeric[column] and column else None
            if column == 0:
                align = WD_ALIGN_PARAGRAPH.CENTER
            layout.paragraph(layout.cell(grid, index, column), text, size, align=align)
    layout.paragraph(document, after=6)
    return grid


def summary_docx(data: dict) -> bytes:
    """The report as a Word file with the PDF's sections (no charts), for the office to edit before signing."""
    tables = summary_tables(data)
    context = summary_context(data)
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(10)
    layout.page_numbers(section)
    normal = document.styles["Normal"]
    normal.font.name = layout.FONT
    normal.font.size = Pt(14)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), layout.FONT)
    document.core_properties.title = f"Báo cáo {context['title'][0].lower()}{context['title'][1:]}"
    document.core_properties.author = "cchc-inspection"

    center, justify = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY
    layout.document_header(
        document,
        issuing_body=context["issuing_body"],
        authority=context["authority"],
        number=context["document_number"],
        place_date=context["place_date"],
        kind="BÁO CÁO",
    )
    layout.paragraph(document, context["title"], 14, align=center, bold=True)
    layout.rule(document, 50, layout.TEXT_WIDTH_MM).paragraph_format.space_after = Pt(6)
    layout.paragraph(document, f"Kính gửi: {context['addressee']}.", 14, align=center, after=12)

    styles = {"para": {}, "h1": {"bold": True}, "h2": {"bold": True}, "bullet": {}}
    for style, content in summary_body(data, tables=tables, context=context):
        if style == "table":
            _grid(document, content, layout.TEXT_WIDTH_MM)
            continue
        if style == "chart":
            continue
        text = f"- {content}" if style == "bullet" else content
        paragraph = layout.paragraph(document, text, 14, align=justify, after=6, **styles[style])
        paragraph.paragraph_format.first_line_indent = Mm(10)
        paragraph.paragraph_format.keep_with_next = style in ("h1", "h2")

    footer = layout.layout_table(document, [layout.TEXT_WIDTH_MM * 0.45, layout.TEXT_WIDTH_MM * 0.55])
    recipients = layout.cell(footer, 0, 0)
    layout.paragraph(recipients, "Nơi nhận:", 12, bold=True, italic=True).paragraph_format.space_before = Pt(12)
    for line in context["recipients"]:
        layout.paragraph(recipients, f"- {line}", 11)
    signature = layout.cell(footer, 0, 1)
    layout.paragraph(
        signature, context["signer_title"], 14, align=center, bold=True, after=84
    ).paragraph_format.space_before = Pt(12)

    # The annex on landscape pages.
    annex = document.add_section(WD_SECTION.NEW_PAGE)
    annex.orientation = WD_ORIENT.LANDSCAPE
    annex.page_width, annex.page_height = Mm(297), Mm(210)
    annex.top_margin, annex.bottom_margin = Mm(20), Mm(15)
    annex.left_margin, annex.right_margin = Mm(20), Mm(15)
    layout.paragraph(document, "PHỤ LỤC", 14, align=center, bold=True)
    layout.paragraph(document, context["annex_title"], 14, align=center, bold=True)
    layout.paragraph(document, context["annex_reference"], 13, align=center, italic=True, after=12)
    _grid(document, tables["annex"], LANDSCAPE_TEXT_WIDTH_MM, size=10)

    output = BytesIO()
    document.save(output)
    return output.getvalue()
