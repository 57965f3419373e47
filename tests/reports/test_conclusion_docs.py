"""The conclusion notice of an issued revision: its PDF, workbook and Word file read back, a later
revision that replaces it, and who may download them."""

import datetime
import io
import unicodedata

import pytest
from django.urls import reverse
from docx import Document
from freezegun import freeze_time
from openpyxl import load_workbook
from pypdf import PdfReader

from inspections import services
from inspections.models import ConclusionRevision, Finding, RemediationAction
from reports.conclusion_docs import conclusion_context, conclusion_docx, conclusion_pdf, conclusion_xlsx
from tests.factories import user_with_role
from tests.inspections import conftest as inspections_fixtures
from units.roles import Role

STRENGTH = "Ban hành kế hoạch CCHC năm 2022 kịp thời, đúng nội dung."
SHORTCOMING = "Chưa công khai đầy đủ thủ tục hành chính tại Bộ phận Một cửa."
CAUSE = "Công chức Bộ phận Một cửa kiêm nhiệm nhiều việc."
ASSESSMENT = "Huyện Alpha triển khai công tác CCHC năm 2022 nghiêm túc, đạt kết quả khá."
NEW_ASSESSMENT = "Huyện Alpha đã bổ sung hồ sơ; công tác CCHC năm 2022 đạt kết quả tốt."
REQUEST = "Niêm yết công khai đầy đủ thủ tục hành chính tại Bộ phận Một cửa"
UNIT_NAME = "Ủy ban nhân dân huyện Alpha"
ISSUED_AT = "2022-08-12 09:00:00+07:00"

# The 2022 plan, its team and visit_a belong to the inspections page tests: shared, not copied.
fast_passwords = inspections_fixtures.fast_passwords
home_affairs = inspections_fixtures.home_affairs
plan = inspections_fixtures.plan
lead = inspections_fixtures.lead
inspector_member = inspections_fixtures.inspector_member
visit_a = inspections_fixtures.visit_a
LEAD_NAME = inspections_fixtures.LEAD_NAME

pytestmark = pytest.mark.usefixtures("fast_passwords")


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def pdf_text(data: bytes) -> str:
    return normalise(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    cells = [p.text for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs]
    return normalise(" ".join([p.text for p in document.paragraphs] + cells))


@pytest.fixture
def lead_user(lead):
    lead.user = user_with_role(Role.INSPECTOR, username="lead", first_name="Hạnh", last_name="Nguyễn Thị Hồng")
    lead.save()
    return lead.user


@pytest.fixture
def revision(visit_a, lead_user, inspector) -> ConclusionRevision:
    """Revision 1: a strength and a shortcoming recorded, the draft saved with a cause, one request."""
    areas = {a.number: a for a in visit_a.plan.areas.all()}
    services.finding_record(
        inspection=visit_a, area=areas[1], criterion=None, kind=Finding.Kind.STRENGTH, text=STRENGTH, user=inspector
    )
    shortcoming = services.finding_record(
        inspection=visit_a,
        area=areas[3],
        criterion=None,
        kind=Finding.Kind.SHORTCOMING,
        text=SHORTCOMING,
        user=inspector,
    )
    conclusion = services.conclusion_start(inspection=visit_a, user=lead_user)
    area_3 = conclusion.areas.get(area__number=3)
    services.conclusion_save(
        conclusion=conclusion,
        general_assessment=ASSESSMENT,
        areas={area_3.pk: {"shortcomings": area_3.shortcomings, "causes": CAUSE}},
        user=lead_user,
    )
    services.action_add(conclusion=conclusion, text=REQUEST, finding=shortcoming, user=lead_user)
    with freeze_time(ISSUED_AT):
        return services.conclusion_issue(conclusion=conclusion, user=lead_user)


@pytest.fixture
def second_revision(revision, lead_user) -> ConclusionRevision:
    conclusion = revision.conclusion
    services.conclusion_reopen(conclusion=conclusion, reason="Đơn vị bổ sung hồ sơ.", user=lead_user)
    services.conclusion_save(conclusion=conclusion, general_assessment=NEW_ASSESSMENT, areas={}, user=lead_user)
    return services.conclusion_issue(conclusion=conclusion, user=lead_user)


def url(name, revision, number=None):
    inspection_pk = revision.conclusion.inspection_id
    return reverse(f"reports:{name}", args=[inspection_pk, number or revision.number])


# --- The PDF ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pdf_reads_like_the_notice_with_every_diacritic(revision):
    data = conclusion_pdf(conclusion_context(revision))

    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for phrase in [
        "UBND TỈNH HÀ NAM",
        "ĐOÀN KIỂM TRA CCHC",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "/TB-ĐKT",
        "Hà Nam, ngày 12 tháng 8 năm 2022",
        "THÔNG BÁO",
        f"Kết luận kiểm tra công tác cải cách hành chính năm 2022 tại {UNIT_NAME}",
        "Căn cứ Kế hoạch số 1357/KH-UBND ngày 10/05/2022",
        "Ngày 09/08/2022",
        "Vũ Đức Minh",
        "I. KẾT QUẢ KIỂM TRA",
        ASSESSMENT,
        "Ưu điểm:",
        STRENGTH,
        "Tồn tại, hạn chế:",
        SHORTCOMING,
        "Nguyên nhân:",
        CAUSE,
        "II. YÊU CẦU",
        f"{REQUEST}, hoàn thành trước ngày 30/09/2022.",
        "về Đoàn Kiểm tra (qua Sở Nội vụ) trước ngày 30/09/2022",
        "Nơi nhận:",
        "Ủy ban nhân dân tỉnh (để b/c);",
        "Lưu: VT, ĐKT.",
        "TM. ĐOÀN KIỂM TRA",
        "TRƯỞNG ĐOÀN",
        LEAD_NAME,
    ]:
        assert normalise(phrase) in text, phrase
    assert "Thay thế" not in text


@pytest.mark.django_db
def test_pdf_is_a4(revision):
    reader = PdfReader(io.BytesIO(conclusion_pdf(conclusion_context(revision))))

    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(595.28, abs=1)
        assert float(page.mediabox.height) == pytest.approx(841.89, abs=1)


@pytest.mark.django_db
def test_empty_parts_of_an_area_are_left_out(revision):
    text = pdf_text(conclusion_pdf(conclusion_context(revision)))

    # Areas 1 and 3 have something to say; area 2 has nothing, so no heading either.
    assert "2.1. Công tác chỉ đạo, điều hành CCHC" in text
    assert "2.2. Công tác cải cách thể chế" not in text
    assert text.count("Nguyên nhân:") == 1


@pytest.mark.django_db
def test_second_revision_replaces_the_first_which_keeps_its_text(second_revision):
    first = ConclusionRevision.objects.get(conclusion=second_revision.conclusion, number=1)

    new_text = pdf_text(conclusion_pdf(conclusion_context(second_revision)))
    old_text = pdf_text(conclusion_pdf(conclusion_context(first)))

    assert "(Thay thế Thông báo kết luận đã ban hành lần 1)" in new_text
    assert NEW_ASSESSMENT in new_text and ASSESSMENT not in new_text
    assert ASSESSMENT in old_text and NEW_ASSESSMENT not in old_text
    assert "Thay thế" not in old_text
    assert "(Thay thế Thông báo kết luận đã ban hành lần 1)" in docx_text(
        conclusion_docx(conclusion_context(second_revision))
    )


# --- The workbook ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_workbook_lists_findings_and_requests_with_live_status(revision):
    with freeze_time("2022-08-20"):
        data = conclusion_xlsx(conclusion_context(revision), revision.conclusion.actions.all())

    sheet = load_workbook(io.BytesIO(data))["Kết luận"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header_row = next(i for i, row in enumerate(rows, start=1) if row[0] == "STT")
    assert rows[header_row - 1] == [
        "STT",
        "Nội dung kiểm tra",
        "Loại",
        "Nội dung",
        "Hạn hoàn thành",
        "Trạng thái",
        "Quá hạn",
    ]
    assert all(cell.font.bold for cell in sheet[header_row])
    assert sheet.freeze_panes == f"A{header_row + 1}"
    assert sheet.auto_filter.ref.startswith(f"A{header_row}:")
    assert sheet.column_dimensions["D"].width >= 50
    data_rows = rows[header_row:]
    assert [1, "1. Công tác chỉ đạo, điều hành CCHC", "Ưu điểm", STRENGTH, None, None, None] in data_rows
    assert any(row[2] == "Tồn tại, hạn chế" and row[3] == SHORTCOMING for row in data_rows)
    request = next(row for row in data_rows if row[2] == "Yêu cầu khắc phục")
    assert request[1].startswith("3. Công tác cải cách thủ tục hành chính")
    assert request[3] == REQUEST
    assert request[4] == datetime.datetime(2022, 9, 30)
    assert request[5:] == ["Chưa báo cáo", "Không"]
    deadline = sheet.cell(row=header_row + data_rows.index(request) + 1, column=5)
    assert deadline.is_date and deadline.number_format == "DD/MM/YYYY"


@pytest.mark.django_db
def test_workbook_shows_the_status_now_and_overdue(revision):
    RemediationAction.objects.update(status=RemediationAction.Status.REPORTED)
    with freeze_time("2022-10-05"):
        data = conclusion_xlsx(conclusion_context(revision), revision.conclusion.actions.all())

    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(data)).active.iter_rows()]
    request = next(row for row in rows if row[2] == "Yêu cầu khắc phục")
    assert request[5:] == ["Đã báo cáo", "Có"]


# --- The Word file ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_word_file_has_the_same_sections_on_a4(revision):
    data = conclusion_docx(conclusion_context(revision))

    document = Document(io.BytesIO(data))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert (round(section.left_margin.mm), round(section.right_margin.mm)) == (30, 15)
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert len(document.tables) == 2  # the header and the recipients/signature
    text = docx_text(data)
    for phrase in [
        "UBND TỈNH HÀ NAM",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Hà Nam, ngày 12 tháng 8 năm 2022",
        "THÔNG BÁO",
        UNIT_NAME,
        ASSESSMENT,
        SHORTCOMING,
        CAUSE,
        f"{REQUEST}, hoàn thành trước ngày 30/09/2022.",
        "Nơi nhận:",
        "TRƯỞNG ĐOÀN",
        LEAD_NAME,
    ]:
        assert normalise(phrase) in text, phrase
    sizes = {run.font.size.pt for p in document.paragraphs for run in p.runs if run.font.size}
    assert sizes <= {13, 14}


# --- The downloads ---------------------------------------------------------------------------

DOWNLOADS = [
    ("conclusion_pdf", "application/pdf", "pdf"),
    ("conclusion_xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    ("conclusion_docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content_type", "extension"), DOWNLOADS)
def test_unit_downloads_its_issued_notice_as_an_attachment(client, revision, user_a, name, content_type, extension):
    client.force_login(user_a)

    response = client.get(url(name, revision))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    code = revision.conclusion.inspection.unit.code
    assert response["Content-Disposition"] == f'attachment; filename="ket-luan-2022-{code}-lan-1.{extension}"'
    assert response.content


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["coordinator", "leader", "inspector", "lead_user"])
def test_province_readers_and_the_visits_team_download(client, revision, persona, request):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(url("conclusion_pdf", revision)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", [name for name, _type, _ext in DOWNLOADS])
def test_other_units_user_gets_404(client, revision, user_b, name):
    client.force_login(user_b)

    assert client.get(url(name, revision)).status_code == 404


@pytest.mark.django_db
def test_inspector_not_on_the_visit_gets_404(client, revision):
    client.force_login(user_with_role(Role.INSPECTOR, username="outsider"))

    assert client.get(url("conclusion_pdf", revision)).status_code == 404


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, revision):
    response = client.get(url("conclusion_pdf", revision))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_unknown_revision_number_is_404(client, revision, user_a, coordinator):
    for user in (user_a, coordinator):
        client.force_login(user)
        assert client.get(url("conclusion_pdf", revision, number=2)).status_code == 404


@pytest.mark.django_db
def test_downloads_answer_get_only(client, revision, coordinator):
    client.force_login(coordinator)

    assert client.post(url("conclusion_pdf", revision)).status_code == 405


@pytest.mark.django_db
def test_first_revision_stays_downloadable_after_reopening(client, revision, lead_user, user_a):
    services.conclusion_reopen(conclusion=revision.conclusion, reason="Đơn vị bổ sung hồ sơ.", user=lead_user)
    client.force_login(user_a)

    response = client.get(url("conclusion_pdf", revision))

    assert response.status_code == 200
    assert ASSESSMENT in pdf_text(response.content)
