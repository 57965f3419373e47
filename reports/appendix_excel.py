"""The appendix (Phụ lục) as an Excel workbook: a template a unit fills in, and reading it back.

Plain functions of their data (figures, rules and values are passed in; no queries here), so the
views only wrap them. Figures need `code`, `label` and `group`; rules need `part_codes` and
`total` (AppendixFigure and AppendixRule, or any stand-in with those attributes).
"""

import re
from io import BytesIO

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties

SHEET_TITLE = "Phụ lục"
INPUT_COLUMN = "C"
CODE_COLUMN = "E"
# AppendixValue.value is a PositiveBigIntegerField.
MAX_VALUE = 2**63 - 1

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV"]

# Digits, optionally in groups of three split by one kind of separator: "1234", "1.234", "1,234,567", "1 234".
WHOLE_NUMBER_TEXT = re.compile(r"\d+|\d{1,3}(?:([., \u00a0\u202f])\d{3})(?:\1\d{3})*")

INPUT_FILL = PatternFill(fill_type="solid", start_color="FFFF99", end_color="FFFF99")
GROUP_FILL = PatternFill(fill_type="solid", start_color="D9D9D9", end_color="D9D9D9")
HEADER_FILL = PatternFill(fill_type="solid", start_color="BFBFBF", end_color="BFBFBF")
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
UNLOCKED = Protection(locked=False)


def _roman(number: int) -> str:
    return ROMAN[number - 1] if number <= len(ROMAN) else str(number)


def format_number(value: int) -> str:
    """Vietnamese thousands separator: 1234567 -> "1.234.567"."""
    return f"{value:,}".replace(",", ".")


def appendix_template_xlsx(
    *, plan_title: str, unit_name: str, figures: list, values: dict[str, int] | None = None
) -> bytes:
    """The workbook a unit downloads: one row per figure, yellow input cells in column C, codes hidden in E."""
    values = values or {}
    # The document is always Vietnamese, whatever language the user's session is in.
    with translation.override("vi"):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = SHEET_TITLE
        workbook.properties.title = _("Phụ lục số liệu")
        workbook.properties.creator = "cchc-inspection"

        bold = Font(bold=True)
        centered = Alignment(horizontal="center", vertical="center", wrap_text=True)
        wrapped = Alignment(vertical="center", wrap_text=True)

        # Title block.
        title_lines = [
            (_("PHỤ LỤC SỐ LIỆU"), Font(bold=True, size=14)),
            (plan_title, bold),
            (_("Đơn vị: %(unit)s") % {"unit": unit_name}, bold),
        ]
        row = 1
        for text, font in title_lines:
            sheet.cell(row=row, column=1, value=text).font = font
            sheet.cell(row=row, column=1).alignment = centered
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
            row += 1
        sheet.row_dimensions[2].height = 32

        note = sheet.cell(
            row=row,
            column=1,
            value=_("Chỉ nhập số nguyên không âm vào các ô màu vàng (cột C). Không thêm, xóa hay đổi thứ tự các dòng."),
        )
        note.font = Font(italic=True)
        note.alignment = wrapped
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
        sheet.row_dimensions[row].height = 30
        row += 1

        # Header.
        header_row = row
        headers = [_("STT"), _("Chỉ tiêu"), _("Số liệu"), _("Ghi chú"), _("Mã")]
        for column, text in enumerate(headers, start=1):
            cell = sheet.cell(row=row, column=column, value=text)
            cell.font = bold
            cell.alignment = centered
            cell.fill = HEADER_FILL
            cell.border = BORDER
        row += 1

        validation = DataValidation(
            type="whole",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="stop",
            errorTitle=_("Số liệu không hợp lệ"),
            error=_("Chỉ nhập số nguyên không âm."),
            showInputMessage=True,
            promptTitle=_("Số liệu"),
            prompt=_("Nhập số nguyên không âm."),
        )
        sheet.add_data_validation(validation)

        group = None
        group_count = 0
        number = 0
        for figure in figures:
            figure_group = (figure.group or "").strip()
            if figure_group != group:
                if figure_group or group_count:
                    group_count += 1
                    title = figure_group or _("Chỉ tiêu khác")
                    cell = sheet.cell(row=row, column=1, value=f"{_roman(group_count)}. {title}")
                    cell.font = bold
                    cell.alignment = wrapped
                    for column in range(1, 5):
                        sheet.cell(row=row, column=column).fill = GROUP_FILL
                        sheet.cell(row=row, column=column).border = BORDER
                    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
                    row += 1
                    number = 0
                group = figure_group
            number += 1

            sheet.cell(row=row, column=1, value=number).alignment = centered
            sheet.cell(row=row, column=2, value=str(figure.label)).alignment = wrapped
            value_cell = sheet.cell(row=row, column=3, value=values.get(figure.code))
            value_cell.fill = INPUT_FILL
            value_cell.protection = UNLOCKED
            value_cell.number_format = "#,##0"
            value_cell.alignment = Alignment(horizontal="right", vertical="center")
            validation.add(value_cell.coordinate)
            note_cell = sheet.cell(row=row, column=4)
            note_cell.protection = UNLOCKED
            note_cell.alignment = wrapped
            for column in range(1, 5):
                sheet.cell(row=row, column=column).border = BORDER
            sheet.cell(row=row, column=5, value=figure.code)
            row += 1

        for column, width in {"A": 6, "B": 70, "C": 14, "D": 30, "E": 24}.items():
            sheet.column_dimensions[column].width = width
        sheet.column_dimensions[CODE_COLUMN].hidden = True
        sheet.freeze_panes = f"A{header_row + 1}"

        # Only the unlocked (yellow and notes) cells can be edited; no password.
        sheet.protection.sheet = True

        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.orientation = sheet.ORIENTATION_PORTRAIT
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        sheet.print_title_rows = f"{header_row}:{header_row}"
        sheet.print_area = f"A1:D{max(row - 1, header_row)}"

        buffer = BytesIO()
        workbook.save(buffer)
    return buffer.getvalue()


def parse_whole_number(value) -> int | None:
    """A non-negative whole number from a cell, or None when it is anything else (empty excluded by the caller)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            return None
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if not WHOLE_NUMBER_TEXT.fullmatch(text):
            return None
        number = int(re.sub(r"\D", "", text))
    else:
        return None
    return number if number >= 0 else None


def read_appendix_xlsx(data: bytes, *, figures: list, rules: list) -> tuple[dict[str, int], list[str]]:
    """The values of a filled-in template, and every problem found (with its cell); save nothing if any."""
    try:
        workbook = load_workbook(BytesIO(data), data_only=True)
    except Exception:  # Any failure to parse it means it is not a workbook we can read.
        return {}, [_("Tệp không phải bảng tính Excel (.xlsx) hợp lệ.")]
    try:
        if SHEET_TITLE not in workbook.sheetnames:
            return {}, [_("Không tìm thấy trang tính “Phụ lục”: hãy dùng đúng mẫu đã tải về.")]
        sheet = workbook[SHEET_TITLE]

        wanted = {figure.code for figure in figures}
        rows_of: dict[str, list[int]] = {}
        for (cell,) in sheet.iter_rows(min_col=5, max_col=5):
            code = str(cell.value).strip() if cell.value is not None else ""
            if code in wanted:
                rows_of.setdefault(code, []).append(cell.row)

        errors: list[str] = []
        values: dict[str, int] = {}
        cell_of: dict[str, str] = {}
        for figure in figures:
            rows = rows_of.get(figure.code)
            if not rows:
                errors.append(
                    _("Thiếu dòng chỉ tiêu “%(label)s” (mã %(code)s): hãy dùng đúng mẫu.")
                    % {"label": figure.label, "code": figure.code}
                )
                continue
            if len(rows) > 1:
                errors.append(
                    _("Chỉ tiêu “%(label)s” (mã %(code)s) xuất hiện nhiều lần (dòng %(rows)s): hãy dùng đúng mẫu.")
                    % {"label": figure.label, "code": figure.code, "rows": ", ".join(str(r) for r in rows)}
                )
                continue
            coordinate = f"{INPUT_COLUMN}{rows[0]}"
            cell_of[figure.code] = coordinate
            raw = sheet[coordinate].value
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                errors.append(_("%(cell)s: chưa nhập số liệu.") % {"cell": coordinate})
                continue
            number = parse_whole_number(raw)
            if number is None:
                errors.append(_("%(cell)s: phải là số nguyên không âm.") % {"cell": coordinate})
            elif number > MAX_VALUE:
                errors.append(_("%(cell)s: số liệu quá lớn.") % {"cell": coordinate})
            else:
                values[figure.code] = number
    finally:
        workbook.close()

    errors += check_figure_rules(values, figures=figures, rules=rules, cell_of=cell_of)
    return values, errors


def check_figure_rules(
    values: dict[str, int], *, figures: list, rules: list, cell_of: dict[str, str] | None = None
) -> list[str]:
    """Every rule whose parts add up to more than its total; rules on unknown or missing figures are skipped."""
    labels = {figure.code: str(figure.label) for figure in figures}
    errors = []
    for rule in rules:
        parts = list(rule.part_codes)
        total = str(rule.total).strip()
        codes = [*parts, total]
        if not parts or any(code not in labels for code in codes) or any(code not in values for code in codes):
            continue
        parts_sum = sum(values[code] for code in parts)
        if parts_sum <= values[total]:
            continue
        part_labels = " + ".join(labels[code] for code in parts)
        if len(parts) > 1:
            part_labels = _("Tổng %(labels)s") % {"labels": part_labels}
        params = {
            "parts": part_labels,
            "sum": format_number(parts_sum),
            "total": labels[total],
            "total_value": format_number(values[total]),
        }
        if cell_of is not None and all(code in cell_of for code in codes):
            params["part_cells"] = "+".join(cell_of[code] for code in parts)
            params["total_cell"] = cell_of[total]
            errors.append(
                _("%(parts)s (%(part_cells)s = %(sum)s) lớn hơn %(total)s (%(total_cell)s = %(total_value)s).") % params
            )
        else:
            errors.append(_("%(parts)s (%(sum)s) lớn hơn %(total)s (%(total_value)s).") % params)
    return errors
