"""The provincial summary report as PDF, Excel and Word: every export read back, and who may download it."""

import datetime
import io
import unicodedata

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from docx import Document
from freezegun import freeze_time
from pypdf import PdfReader, PdfWriter

from inspections import services
from inspections.models import Finding, InspectionPlan, Submission
from reports.models import SummaryNote
from reports.summary import summary_data
from reports.summary_docs import common_texts, summary_charts, summary_docx, summary_pdf, summary_xlsx
from tests.factories import UnitFactory, user_with_role
from tests.inspections import conftest as inspection_fixtures
from tests.inspections.factories import D
from units.models import Unit
from units.roles import Role

# The 2022 plan, its team and the two visits the inspections tests start from.
fast_passwords = inspection_fixtures.fast_passwords
media_root = inspection_fixtures.media_root
home_affairs = inspection_fixtures.home_affairs
plan = inspection_fixtures.plan
lead = inspection_fixtures.lead
inspector_member = inspection_fixtures.inspector_member
visit_a = inspection_fixtures.visit_a
visit_b = inspection_fixtures.visit_b

pytestmark = pytest.mark.usefixtures("fast_passwords", "media_root")

TODAY = "2022-11-05 09:00:00+07:00"  # after every deadline of the 2022 plan
SHORTCOMING = "Chưa công khai đầy đủ thủ tục hành chính tại Bộ phận Một cửa."
GAMMA_SHORTCOMING = "Bộ phận Một cửa cấp xã chưa số hóa hồ sơ."
RECOMMENDATIONS = (
    "Đề nghị UBND tỉnh chỉ đạo các đơn vị khắc phục dứt điểm tồn tại, hạn chế trước 31/12/2022.\n"
    "Đưa kết quả kiểm tra vào đánh giá, chấm điểm Chỉ số CCHC năm 2022."
)
SHEETS = ["Tổ chức", "Nội dung", "Tự kiểm tra", "Khắc phục", "Phụ lục đơn vị"]


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def pdf_text(data: bytes) -> str:
    return normalise(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return normalise(" ".join(parts))


def assert_in_text(phrase: str, text: str):
    """The whole phrase if the PDF kept it on one line; otherwise every word (a line break may split it)."""
    phrase = normalise(phrase)
    if phrase in text:
        return
    words = set(text.replace(";", " ").replace(",", " ").replace(".", " ").replace(":", " ").split())
    missing = [w for w in phrase.replace(";", " ").replace(",", " ").replace(".", " ").split() if w not in words]
    assert not missing, f"{phrase!r} not in the text (missing words: {missing})"


def send(plan, unit, kind, user, moment, inspection=None):
    with freeze_time(moment):
        return services.submission_create(
            plan=plan,
            unit=unit,
            kind=kind,
            uploaded_file=SimpleUploadedFile("Báo cáo.pdf", pdf_bytes()),
            user=user,
            inspection=inspection,
        )


@pytest.fixture
def lead_user(lead):
    lead.user = user_with_role(Role.INSPECTOR, username="lead", first_name="Hạnh", last_name="Nguyễn Thị Hồng")
    lead.save()
    return lead.user


@pytest.fixture
def known(plan, visit_a, visit_b, lead_user, inspector, coordinator, unit_a, unit_b, user_a):
    """Huyện Alpha (visit 09/08, report on time, 8/8 copies, issued conclusion, one action verified, one open)
    and Sở Beta (visit 10/08, report late, 3/8 copies) are inspected directly; Sở Nội vụ and Huyện Gamma
    (1 of 5 communes inspected: below 40%, results late) inspect themselves."""
    plan.team.decision_number = "1234/QĐ-UBND"
    plan.team.decision_date = D(2022, 6, 1)
    plan.team.save()
    gamma = UnitFactory(kind=Unit.Kind.DISTRICT, name="Ủy ban nhân dân huyện Gamma", short_name="Huyện Gamma")
    communes = [UnitFactory(kind=Unit.Kind.COMMUNE, parent=gamma, short_name=f"Xã Gamma {i}") for i in range(5)]
    gamma_user = user_with_role(Role.UNIT_STAFF, username="gamma", unit=gamma)
    user_b = user_with_role(Role.UNIT_STAFF, username="beta", unit=unit_b)
    areas = {a.number: a for a in plan.areas.all()}

    send(plan, unit_a, Submission.Kind.REPORT, user_a, "2022-07-20 10:00:00+07:00", visit_a)
    send(plan, unit_b, Submission.Kind.REPORT, user_b, "2022-08-05 10:00:00+07:00", visit_b)
    services.paper_copies_record(inspection=visit_a, count=8, received_on=D(2022, 8, 1), user=coordinator)
    services.paper_copies_record(inspection=visit_b, count=3, received_on=D(2022, 8, 1), user=coordinator)

    kinds = Finding.Kind
    for visit, area, kind, text in [
        (visit_a, 1, kinds.STRENGTH, "Ban hành kế hoạch CCHC kịp thời."),
        (visit_a, 3, kinds.SHORTCOMING, SHORTCOMING),
        (visit_a, 7, kinds.SHORTCOMING, "Tỷ lệ hồ sơ trực tuyến toàn trình còn thấp."),
        (visit_b, 3, kinds.SHORTCOMING, SHORTCOMING.rstrip(".")),  # said alike of two units
    ]:
        services.finding_record(
            inspection=visit, area=areas[area], criterion=None, kind=kind, text=text, user=inspector
        )

    conclusion = services.conclusion_start(inspection=visit_a, user=lead_user)
    actions = [
        services.action_add(conclusion=conclusion, finding=f, text="", user=lead_user)
        for f in visit_a.findings.filter(kind=kinds.SHORTCOMING).order_by("pk")
    ]
    services.conclusion_save(conclusion=conclusion, general_assessment="Cơ bản đạt yêu cầu.", areas={}, user=lead_user)
    services.conclusion_issue(conclusion=conclusion, user=lead_user)
    with freeze_time("2022-09-20 10:00:00+07:00"):
        services.remediation_report(action=actions[0], text="Đã niêm yết đủ thủ tục.", user=user_a)
        services.remediation_review(action=actions[0], decision="verified", comment="", user=coordinator)

    gamma_si = services.self_inspection_get(plan=plan, unit=gamma)
    services.self_inspected_unit_add(
        self_inspection=gamma_si, unit=communes[0], inspected_on=D(2022, 9, 1), user=gamma_user
    )
    services.self_inspection_finding_add(
        self_inspection=gamma_si,
        area=areas[3],
        criterion=None,
        kind=kinds.SHORTCOMING,
        text=GAMMA_SHORTCOMING,
        user=gamma_user,
    )
    send(plan, gamma, Submission.Kind.SELF_INSPECTION_REPORT, gamma_user, "2022-11-02 10:00:00+07:00")
    SummaryNote.objects.create(plan=plan, recommendations=RECOMMENDATIONS, updated_by=coordinator)
    return plan


@pytest.fixture
def data(known):
    with freeze_time(TODAY):
        return summary_data(known)


# --- PDF -------------------------------------------------------------------------------------


def test_the_pdf_is_the_official_report_with_every_section(data):
    pdf = summary_pdf(data, summary_charts(data))
    reader = PdfReader(io.BytesIO(pdf))
    text = pdf_text(pdf)
    for phrase in [
        "UBND TỈNH HÀ NAM",
        "SỞ NỘI VỤ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "/BC-SNV",
        "Hà Nam, ngày 05 tháng 11 năm 2022",
        "BÁO CÁO",
        "Kết quả kiểm tra công tác cải cách hành chính năm 2022",
        "Kính gửi: Ủy ban nhân dân tỉnh Hà Nam.",
        "Thực hiện Kế hoạch số 1357/KH-UBND ngày 10/05/2022",
        "Quyết định số 1234/QĐ-UBND ngày 01/06/2022",
        "I. CÔNG TÁC TỔ CHỨC KIỂM TRA",
        "kiểm tra trực tiếp 2 cơ quan, đơn vị",
        "1 đơn vị gửi đúng hạn, 1 đơn vị gửi muộn",
        "Đơn vị gửi muộn: Sở Beta.",
        "Sở Beta (3/8 bộ)",
        "II. KẾT QUẢ KIỂM TRA THEO NỘI DUNG",
        "3. Công tác cải cách thủ tục hành chính; thực hiện cơ chế một cửa, một cửa liên thông",
        # the same shortcoming of two units, counted once with both names
        "Chưa công khai đầy đủ thủ tục hành chính tại Bộ phận Một cửa (2 đơn vị: Sở Beta, Huyện Alpha).",
        GAMMA_SHORTCOMING,
        "III. KẾT QUẢ TỰ KIỂM TRA",
        "ít nhất 40% cơ quan, đơn vị trực thuộc",
        "chưa đạt: Huyện Gamma (20%)",
        "IV. KẾT QUẢ KHẮC PHỤC TỒN TẠI, HẠN CHẾ",
        "Đoàn Kiểm tra đã yêu cầu khắc phục 2 nội dung",
        "1 nội dung đã hoàn thành, 1 nội dung chưa hoàn thành",
        "V. KIẾN NGHỊ, ĐỀ XUẤT",
        "Đề nghị UBND tỉnh chỉ đạo các đơn vị khắc phục dứt điểm tồn tại, hạn chế trước 31/12/2022.",
        "Đưa kết quả kiểm tra vào đánh giá, chấm điểm Chỉ số CCHC năm 2022.",
        "Nơi nhận:",
        "GIÁM ĐỐC",
        "PHỤ LỤC",
        "Ủy ban nhân dân huyện Gamma",
        "Tự kiểm tra",
        "Kiểm tra trực tiếp",
        "09/08/2022",
        # the charts, drawn from their SVG
        "Ưu điểm và tồn tại, hạn chế theo nội dung kiểm tra",
    ]:
        assert_in_text(phrase, text)
    # The annex is on landscape pages; the report on portrait A4.
    first, last = reader.pages[0].mediabox, reader.pages[-1].mediabox
    assert round(first.width) < round(first.height)
    assert round(last.width) > round(last.height)
    assert "PHỤ LỤC" in normalise(reader.pages[-1].extract_text()) or any(
        "PHỤ LỤC" in normalise(page.extract_text()) and page.mediabox.width > page.mediabox.height
        for page in reader.pages
    )


def test_the_pdf_renders_without_charts(data):
    assert "V. KIẾN NGHỊ, ĐỀ XUẤT" in pdf_text(summary_pdf(data))


# --- Excel -----------------------------------------------------------------------------------


def test_the_workbook_has_a_sheet_per_table_with_typed_cells(data):
    workbook = openpyxl.load_workbook(io.BytesIO(summary_xlsx(data)))
    assert workbook.sheetnames == SHEETS
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
        ref = f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
        if sheet.max_row > 1:  # an Excel table: filter buttons, banded rows with borders
            (table,) = sheet.tables.values()
            assert table.ref == ref
            assert [column.name for column in table.tableColumns] == [cell.value for cell in sheet[1]]
        else:
            assert sheet.auto_filter.ref == ref
        assert all(cell.font.bold for cell in sheet[1])
        assert sheet.column_dimensions["B"].width >= 40

    organisation = workbook["Tổ chức"]
    headers = [cell.value for cell in organisation[1]]
    assert headers[:4] == ["STT", "Đơn vị kiểm tra trực tiếp", "Ngày kiểm tra", "Tình trạng"]
    rows = {row[1].value: row for row in organisation.iter_rows(min_row=2)}
    alpha = rows["Ủy ban nhân dân huyện Alpha"]
    assert alpha[2].value == datetime.datetime(2022, 8, 9)
    assert alpha[2].number_format == "DD/MM/YYYY"
    assert alpha[4].value == "Đúng hạn"
    assert alpha[6].value == datetime.datetime(2022, 7, 20) and alpha[6].number_format == "DD/MM/YYYY"
    assert (alpha[7].value, alpha[8].value) == (8, 8)
    assert alpha[7].data_type == "n"
    beta = rows["Sở Beta tỉnh Hà Nam"]
    assert (beta[4].value, beta[5].value, beta[7].value) == ("Muộn", datetime.datetime(2022, 8, 3), 3)

    areas = workbook["Nội dung"]
    area_3 = next(row for row in areas.iter_rows(min_row=2) if row[0].value == 3)
    assert [cell.value for cell in area_3[2:]] == [0, 2, 0, 1, 0, 3]

    self_inspection = workbook["Tự kiểm tra"]
    gamma = next(row for row in self_inspection.iter_rows(min_row=2) if row[1].value == "Ủy ban nhân dân huyện Gamma")
    assert [cell.value for cell in gamma[9:]] == [1, 5, 20, 40, "Chưa đạt"]
    assert gamma[4].value == "Muộn" and gamma[6].value == datetime.datetime(2022, 11, 2)

    remediation = workbook["Khắc phục"]
    assert [cell.value for cell in remediation[1]] == [
        "STT",
        "Đơn vị",
        "Tổng số yêu cầu khắc phục",
        "Chưa báo cáo",
        "Đã báo cáo",
        "Yêu cầu bổ sung",
        "Đã hoàn thành",
        "Quá hạn",
    ]
    assert [cell.value for cell in remediation[2]] == [1, "Ủy ban nhân dân huyện Alpha", 2, 1, 0, 0, 1, 1]

    annex = workbook["Phụ lục đơn vị"]
    units = [row[1].value for row in annex.iter_rows(min_row=2)]
    assert set(units) >= {"Ủy ban nhân dân huyện Alpha", "Sở Beta tỉnh Hà Nam", "Ủy ban nhân dân huyện Gamma"}
    assert annex.max_row == len(data["annex"]) + 1


def test_the_documents_stay_vietnamese_in_an_english_session(data):
    with translation.override("en"):
        workbook = openpyxl.load_workbook(io.BytesIO(summary_xlsx(data)))
        text = docx_text(summary_docx(data))
    statuses = {row[3].value for row in workbook["Tổ chức"].iter_rows(min_row=2)}
    assert statuses == {"Đã kiểm tra", "Đã lên lịch"}
    assert "Đúng hạn" in text and "On time" not in text


# --- Word ------------------------------------------------------------------------------------


def test_the_word_file_has_the_same_sections_in_times_new_roman(data):
    content = summary_docx(data)
    text = docx_text(content)
    for phrase in [
        "UBND TỈNH HÀ NAM",
        "SỞ NỘI VỤ",
        "Số: /BC-SNV",
        "BÁO CÁO",
        "Kết quả kiểm tra công tác cải cách hành chính năm 2022",
        "Kính gửi: Ủy ban nhân dân tỉnh Hà Nam.",
        "I. CÔNG TÁC TỔ CHỨC KIỂM TRA",
        "II. KẾT QUẢ KIỂM TRA THEO NỘI DUNG",
        "- Chưa công khai đầy đủ thủ tục hành chính tại Bộ phận Một cửa (2 đơn vị: Sở Beta, Huyện Alpha).",
        "III. KẾT QUẢ TỰ KIỂM TRA",
        "chưa đạt: Huyện Gamma (20%)",
        "IV. KẾT QUẢ KHẮC PHỤC TỒN TẠI, HẠN CHẾ",
        "V. KIẾN NGHỊ, ĐỀ XUẤT",
        "Đưa kết quả kiểm tra vào đánh giá, chấm điểm Chỉ số CCHC năm 2022.",
        "GIÁM ĐỐC",
        "PHỤ LỤC",
        "Ủy ban nhân dân huyện Gamma",
        "09/08/2022",
    ]:
        assert normalise(phrase) in text, phrase
    document = Document(io.BytesIO(content))
    assert document.styles["Normal"].font.name == "Times New Roman"
    fonts = {run.font.name for paragraph in document.paragraphs for run in paragraph.runs}
    assert fonts == {"Times New Roman"}
    portrait, landscape = document.sections[0], document.sections[-1]
    assert portrait.page_width < portrait.page_height and landscape.page_width > landscape.page_height


# --- A plan with nothing yet -----------------------------------------------------------------


def test_a_plan_with_no_data_still_renders_every_export(db):
    empty = InspectionPlan.objects.create(
        year=2031,
        title="Kế hoạch kiểm tra công tác CCHC năm 2031",
        window_start=D(2031, 7, 1),
        window_end=D(2031, 9, 30),
        remediation_deadline=D(2031, 9, 30),
        self_inspection_deadline=D(2031, 10, 30),
    )
    data = summary_data(empty)
    text = pdf_text(summary_pdf(data, summary_charts(data)))
    assert_in_text("Kết quả kiểm tra công tác cải cách hành chính năm 2031", text)
    assert_in_text("Kế hoạch chưa xác định đơn vị kiểm tra trực tiếp.", text)
    assert_in_text("Chưa có yêu cầu khắc phục nào.", text)
    workbook = openpyxl.load_workbook(io.BytesIO(summary_xlsx(data)))
    assert workbook.sheetnames == SHEETS
    assert all(sheet.max_row == 1 for sheet in workbook.worksheets if sheet.title != "Phụ lục đơn vị")
    assert "Chưa có yêu cầu khắc phục nào." in docx_text(summary_docx(data))


def test_shortcomings_said_alike_are_counted_together():
    assert common_texts([("A", "Chưa số hóa hồ sơ."), ("B", "chưa  số hóa hồ sơ"), ("C", "Khác."), ("A", "Khác")]) == [
        ("Chưa số hóa hồ sơ", ["A", "B"]),
        ("Khác", ["C", "A"]),
    ]


def test_the_summary_totals_equal_the_dashboard_and_the_database(client, known, coordinator, plan):
    from inspections.models import RemediationAction

    client.force_login(coordinator)
    with freeze_time(TODAY):
        dashboard = client.get(reverse("reports:dashboard", args=[plan.pk])).context
        workbook = openpyxl.load_workbook(io.BytesIO(summary_xlsx(summary_data(plan))))
    remediation = list(workbook["Khắc phục"].iter_rows(min_row=2, values_only=True))
    assert sum(row[2] for row in remediation) == dashboard["rem"]["total"] == RemediationAction.objects.count()
    assert sum(row[6] for row in remediation) == dashboard["rem"]["verified"]
    assert sum(row[7] for row in remediation) == dashboard["rem"]["overdue"]
    organisation = list(workbook["Tổ chức"].iter_rows(min_row=2, values_only=True))
    statuses = [row[4] for row in organisation]
    assert statuses.count("Đúng hạn") == dashboard["org"]["reports"]["on_time"]
    assert statuses.count("Muộn") == dashboard["org"]["reports"]["late"]
    areas = list(workbook["Nội dung"].iter_rows(min_row=2, values_only=True))
    visit_shortcomings = sum(row[3] for row in areas)
    assert visit_shortcomings == Finding.objects.filter(plan=plan, inspection__isnull=False, kind="shortcoming").count()
