"""The appendix workbook: the template a unit downloads, and reading the filled-in file back (no database)."""

import datetime
import io
import json
import unicodedata
import zipfile
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest

from reports.appendix_excel import appendix_template_xlsx, check_figure_rules, read_appendix_xlsx

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "appendix_figures.json"

PLAN_TITLE = "Kế hoạch kiểm tra công tác cải cách hành chính năm 2022"
UNIT_NAME = "Ủy ban nhân dân huyện Bình Lục"


def figure(order, code, group, label):
    return SimpleNamespace(order=order, code=code, group=group, label=label)


def rule(parts, total):
    return SimpleNamespace(parts=parts, total=total, part_codes=[code.strip() for code in parts.split(",")])


TTHC = "Thủ tục hành chính (TTHC)"
RECEIVED = "Hồ sơ TTHC tiếp nhận trong kỳ"
RESOLVED = "Kết quả giải quyết"
FIGURES = [
    figure(1, "tthc_total", TTHC, "Tổng số TTHC thuộc thẩm quyền giải quyết"),
    figure(2, "tthc_one_stop", TTHC, "Số TTHC thực hiện tiếp nhận, trả kết quả tại Bộ phận Một cửa"),
    figure(3, "received_in_person", RECEIVED, "Tiếp nhận trực tiếp"),
    figure(4, "received_online", RECEIVED, "Tiếp nhận trực tuyến"),
    figure(5, "received_post", RECEIVED, "Tiếp nhận qua dịch vụ bưu chính công ích"),
    figure(6, "received_total", RECEIVED, "Tổng số hồ sơ tiếp nhận (kể cả kỳ trước chuyển sang)"),
    figure(7, "resolved_early", RESOLVED, "Giải quyết trước hạn"),
    figure(8, "resolved_on_time", RESOLVED, "Giải quyết đúng hạn"),
    figure(9, "resolved_late", RESOLVED, "Giải quyết quá hạn"),
    figure(10, "pending", RESOLVED, "Đang giải quyết"),
]
RULES = [
    rule("tthc_one_stop", "tthc_total"),
    rule("received_in_person,received_online,received_post", "received_total"),
    rule("resolved_early,resolved_on_time,resolved_late,pending", "received_total"),
    # Refers to a figure this plan does not have: ignored.
    rule("online_full,online_partial", "tthc_total"),
]
GOOD_VALUES = {
    "tthc_total": 250,
    "tthc_one_stop": 240,
    "received_in_person": 60,
    "received_online": 30,
    "received_post": 10,
    "received_total": 100,
    "resolved_early": 40,
    "resolved_on_time": 45,
    "resolved_late": 5,
    "pending": 10,
}
# Title (3 rows), note, header, then a group row before each group's figures.
EXPECTED_ROWS = {
    "tthc_total": 7,
    "tthc_one_stop": 8,
    "received_in_person": 10,
    "received_online": 11,
    "received_post": 12,
    "received_total": 13,
    "resolved_early": 15,
    "resolved_on_time": 16,
    "resolved_late": 17,
    "pending": 18,
}


def template(values=None, figures=FIGURES) -> bytes:
    return appendix_template_xlsx(plan_title=PLAN_TITLE, unit_name=UNIT_NAME, figures=figures, values=values)


def open_sheet(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))["Phụ lục"]


def rows_by_code(sheet) -> dict[str, int]:
    return {row[4].value: row[4].row for row in sheet.iter_rows(min_row=1) if row[4].value in EXPECTED_ROWS}


def unmerge_all(sheet):
    """openpyxl does not move merged ranges with the rows, as Excel does: drop them before moving rows."""
    for merged in list(sheet.merged_cells.ranges):
        sheet.unmerge_cells(str(merged))


def filled(values: dict, data: bytes | None = None, edit=None) -> bytes:
    """The template as a unit would send it back: values typed into column C."""
    workbook = openpyxl.load_workbook(io.BytesIO(data or template()))
    sheet = workbook["Phụ lục"]
    rows = rows_by_code(sheet)
    for code, value in values.items():
        sheet[f"C{rows[code]}"] = value
    if edit:
        edit(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read(data: bytes, figures=FIGURES, rules=RULES):
    return read_appendix_xlsx(data, figures=figures, rules=rules)


# The template -----------------------------------------------------------------------------------


def test_template_title_note_and_headers():
    sheet = open_sheet(template())
    assert sheet.title == "Phụ lục"
    assert sheet["A1"].value == "PHỤ LỤC SỐ LIỆU"
    assert sheet["A2"].value == PLAN_TITLE
    assert sheet["A3"].value == f"Đơn vị: {UNIT_NAME}"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    for row in (1, 2, 3):
        assert f"A{row}:D{row}" in merged
        assert sheet[f"A{row}"].font.bold
        assert sheet[f"A{row}"].alignment.horizontal == "center"
    assert sheet["A4"].value == (
        "Chỉ nhập số nguyên không âm vào các ô màu vàng (cột C). Không thêm, xóa hay đổi thứ tự các dòng."
    )
    assert sheet["A4"].font.italic
    assert [sheet[f"{c}5"].value for c in "ABCD"] == ["STT", "Chỉ tiêu", "Số liệu", "Ghi chú"]
    assert all(sheet[f"{c}5"].font.bold for c in "ABCD")


def test_template_groups_and_figure_rows():
    sheet = open_sheet(template())
    merged = {str(r) for r in sheet.merged_cells.ranges}
    for row, text in [(6, f"I. {TTHC}"), (9, f"II. {RECEIVED}"), (14, f"III. {RESOLVED}")]:
        assert sheet[f"A{row}"].value == text
        assert sheet[f"A{row}"].font.bold
        assert f"A{row}:D{row}" in merged
        assert sheet[f"A{row}"].fill.fgColor.rgb.endswith("D9D9D9")
        assert sheet[f"E{row}"].value is None
    assert rows_by_code(sheet) == EXPECTED_ROWS
    for item in FIGURES:
        row = EXPECTED_ROWS[item.code]
        assert sheet[f"B{row}"].value == item.label
        assert sheet[f"C{row}"].value is None
    # Numbered within each group.
    assert [sheet[f"A{row}"].value for row in (7, 8, 10, 11, 12, 13, 15)] == [1, 2, 1, 2, 3, 4, 1]


def test_only_yellow_cells_and_notes_are_editable():
    sheet = open_sheet(template())
    assert sheet.protection.sheet
    for row in EXPECTED_ROWS.values():
        assert sheet[f"C{row}"].protection.locked is False
        assert sheet[f"C{row}"].fill.fgColor.rgb.endswith("FFFF99")
        assert sheet[f"D{row}"].protection.locked is False
        assert sheet[f"A{row}"].protection.locked
        assert sheet[f"B{row}"].protection.locked
        assert sheet[f"E{row}"].protection.locked
    assert sheet["A1"].protection.locked
    assert sheet["C5"].protection.locked


def test_data_validation_covers_every_input_cell():
    sheet = open_sheet(template())
    validations = sheet.data_validations.dataValidation
    assert len(validations) == 1
    validation = validations[0]
    assert validation.type == "whole"
    assert validation.operator == "greaterThanOrEqual"
    assert validation.formula1 == "0"
    assert validation.showErrorMessage
    assert validation.errorTitle == "Số liệu không hợp lệ"
    assert validation.error == "Chỉ nhập số nguyên không âm."
    for row in EXPECTED_ROWS.values():
        assert f"C{row}" in validation.sqref
    assert "C5" not in validation.sqref
    assert "C6" not in validation.sqref


def test_hidden_code_column_layout_and_print_setup():
    sheet = open_sheet(template())
    assert sheet.column_dimensions["E"].hidden
    assert [sheet[f"E{row}"].value for row in sorted(EXPECTED_ROWS.values())] == [f.code for f in FIGURES]
    widths = {c: sheet.column_dimensions[c].width for c in "ABCD"}
    assert widths == {"A": 6, "B": 70, "C": 14, "D": 30}
    assert sheet.freeze_panes == "A6"
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.page_setup.orientation == "portrait"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.page_setup.fitToHeight == 0


def test_prefilled_values_appear_in_the_template_and_read_back():
    data = template(values=GOOD_VALUES)
    sheet = open_sheet(data)
    for code, row in EXPECTED_ROWS.items():
        assert sheet[f"C{row}"].value == GOOD_VALUES[code]
    assert read(data) == (GOOD_VALUES, [])


def test_partly_prefilled_template_leaves_the_rest_empty():
    sheet = open_sheet(template(values={"tthc_total": 12}))
    assert sheet["C7"].value == 12
    assert sheet["C8"].value is None


# Reading it back --------------------------------------------------------------------------------


def test_round_trip():
    assert read(filled(GOOD_VALUES)) == (GOOD_VALUES, [])


def test_parts_equal_to_total_pass():
    values = {**GOOD_VALUES, "tthc_one_stop": 250, "pending": 10}
    assert read(filled(values)) == (values, [])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(7, 7), (0, 0), (5.0, 5), ("12", 12), (" 12 ", 12), ("1.234", 1234), ("1,234", 1234), ("1 234 567", 1234567)],
)
def test_accepted_forms(raw, expected):
    values = {**GOOD_VALUES, "tthc_one_stop": 0, "tthc_total": raw}
    assert read(filled(values)) == ({**values, "tthc_total": expected}, [])


@pytest.mark.parametrize(
    "raw", [-1, 2.5, "abc", "-3", "2,5", "1.2345", "1.234,567", "12a", "1e3", True, datetime.date(2022, 6, 1)]
)
def test_rejected_forms(raw):
    values, errors = read(filled({**GOOD_VALUES, "received_post": raw}))
    assert errors == ["C12: phải là số nguyên không âm."]
    assert "received_post" not in values


def test_empty_cells_are_reported_with_their_cell():
    values = dict(GOOD_VALUES)
    del values["received_post"]
    data = filled({**values, "resolved_late": "   "}, data=template())
    read_values, errors = read(data)
    assert errors == ["C12: chưa nhập số liệu.", "C17: chưa nhập số liệu."]
    assert "received_post" not in read_values


def test_every_problem_is_reported_at_once():
    data = filled({**GOOD_VALUES, "tthc_total": -1, "received_online": "abc", "pending": None})
    _, errors = read(data)
    assert errors == [
        "C7: phải là số nguyên không âm.",
        "C11: phải là số nguyên không âm.",
        "C18: chưa nhập số liệu.",
    ]


def test_rule_violation_names_labels_cells_and_numbers():
    values = {**GOOD_VALUES, "resolved_early": 50, "resolved_on_time": 50, "resolved_late": 10, "pending": 10}
    read_values, errors = read(filled(values))
    assert errors == [
        "Tổng Giải quyết trước hạn + Giải quyết đúng hạn + Giải quyết quá hạn + Đang giải quyết "
        "(C15+C16+C17+C18 = 120) lớn hơn Tổng số hồ sơ tiếp nhận (kể cả kỳ trước chuyển sang) (C13 = 100)."
    ]
    assert read_values == values  # The caller saves nothing when there are errors.


def test_single_part_rule_and_thousands():
    values = {**GOOD_VALUES, "tthc_total": 1200, "tthc_one_stop": 1500}
    _, errors = read(filled(values))
    assert errors == [
        "Số TTHC thực hiện tiếp nhận, trả kết quả tại Bộ phận Một cửa (C8 = 1.500) lớn hơn "
        "Tổng số TTHC thuộc thẩm quyền giải quyết (C7 = 1.200)."
    ]


def test_rules_are_not_checked_on_figures_with_errors():
    _, errors = read(filled({**GOOD_VALUES, "received_total": "nhiều"}))
    assert errors == ["C13: phải là số nguyên không âm."]


def test_missing_row_is_reported():
    def drop_post_row(workbook):
        unmerge_all(workbook["Phụ lục"])
        workbook["Phụ lục"].delete_rows(12)

    values, errors = read(filled(GOOD_VALUES, edit=drop_post_row))
    assert errors == [
        "Thiếu dòng chỉ tiêu “Tiếp nhận qua dịch vụ bưu chính công ích” (mã received_post): hãy dùng đúng mẫu."
    ]
    assert "received_post" not in values


def test_rows_are_found_by_code_not_by_position():
    def insert_row(workbook):
        unmerge_all(workbook["Phụ lục"])
        workbook["Phụ lục"].insert_rows(9)

    values, errors = read(filled(GOOD_VALUES, edit=insert_row))
    assert (values, errors) == (GOOD_VALUES, [])


def test_duplicate_code_row_is_reported():
    def duplicate(workbook):
        workbook["Phụ lục"]["E20"] = "pending"

    _, errors = read(filled(GOOD_VALUES, edit=duplicate))
    assert errors == ["Chỉ tiêu “Đang giải quyết” (mã pending) xuất hiện nhiều lần (dòng 18, 20): hãy dùng đúng mẫu."]


def test_codes_of_other_figures_are_ignored():
    # A template with more figures than the plan now has: the extra rows do no harm.
    assert read(filled(GOOD_VALUES), figures=FIGURES[:2], rules=RULES) == (
        {"tthc_total": 250, "tthc_one_stop": 240},
        [],
    )


def test_missing_sheet():
    def rename(workbook):
        workbook["Phụ lục"].title = "Sheet1"

    assert read(filled(GOOD_VALUES, edit=rename)) == (
        {},
        ["Không tìm thấy trang tính “Phụ lục”: hãy dùng đúng mẫu đã tải về."],
    )


@pytest.mark.parametrize("kind", ["text", "empty", "zip"])
def test_not_a_workbook(kind):
    if kind == "text":
        data = b"hello"
    elif kind == "empty":
        data = b""
    else:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("readme.txt", "không phải Excel")
        data = buffer.getvalue()
    assert read(data) == ({}, ["Tệp không phải bảng tính Excel (.xlsx) hợp lệ."])


# The rule check alone (the typed-in form) ---------------------------------------------------------


def test_check_figure_rules_without_cells():
    values = {**GOOD_VALUES, "received_in_person": 80, "received_online": 30, "received_post": 10}
    assert check_figure_rules(values, figures=FIGURES, rules=RULES) == [
        "Tổng Tiếp nhận trực tiếp + Tiếp nhận trực tuyến + Tiếp nhận qua dịch vụ bưu chính công ích (120) "
        "lớn hơn Tổng số hồ sơ tiếp nhận (kể cả kỳ trước chuyển sang) (100)."
    ]


def test_check_figure_rules_passes_and_skips_missing_values():
    assert check_figure_rules(GOOD_VALUES, figures=FIGURES, rules=RULES) == []
    partial = {"tthc_one_stop": 300}
    assert check_figure_rules(partial, figures=FIGURES, rules=RULES) == []


# The default figures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_appendix():
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    figures = [figure(i, item["code"], item["group"], item["label"]) for i, item in enumerate(data["figures"], start=1)]
    rules = [rule(item["parts"], item["total"]) for item in data["rules"]]
    return data, figures, rules


def test_default_figures_are_well_formed(default_appendix):
    data, figures, rules = default_appendix
    assert set(data) == {"figures", "rules"}
    codes = [f.code for f in figures]
    assert len(codes) == len(set(codes))
    assert 18 <= len(codes) <= 24
    for item in data["figures"]:
        assert set(item) == {"code", "group", "label"}
        assert item["code"].isascii() and item["code"].replace("_", "").isalnum()
        assert item["group"].strip() and item["label"].strip()
        assert unicodedata.normalize("NFC", item["label"]) == item["label"]
        assert unicodedata.normalize("NFC", item["group"]) == item["group"]
    # Each group's figures are together, so the template shows each group once.
    groups = [f.group for f in figures]
    assert len({g for i, g in enumerate(groups) if i == 0 or groups[i - 1] != g}) == len(set(groups))
    for item in rules:
        assert item.part_codes
        assert item.total in codes
        assert all(code in codes for code in item.part_codes)
        assert item.total not in item.part_codes


def test_default_figures_template_round_trip(default_appendix):
    _, figures, rules = default_appendix
    values = {f.code: 1000 for f in figures if f.code.endswith("_total")}
    values |= {f.code: 10 for f in figures if f.code not in values}
    data = appendix_template_xlsx(plan_title=PLAN_TITLE, unit_name=UNIT_NAME, figures=figures, values=values)
    assert read_appendix_xlsx(data, figures=figures, rules=rules) == (values, [])
    values["digitised_dossiers"] = 1001
    _, errors = read_appendix_xlsx(
        appendix_template_xlsx(plan_title=PLAN_TITLE, unit_name=UNIT_NAME, figures=figures, values=values),
        figures=figures,
        rules=rules,
    )
    assert len(errors) == 1
    assert "Số hồ sơ được số hóa khi tiếp nhận" in errors[0] and "= 1.001" in errors[0]
