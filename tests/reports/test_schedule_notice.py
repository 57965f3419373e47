import datetime
import io
import shutil
import subprocess
import unicodedata

import pytest
from pypdf import PdfReader

from inspections.models import ContentArea, Inspection, InspectionPlan, InspectionTeam, Reschedule, TeamMember
from reports.pdf import place_date_line, schedule_notice_pdf, short_issuing_body
from tests.factories import UserFactory
from units.models import Unit

AREA_TITLES = [
    "Công tác chỉ đạo, điều hành CCHC",
    "Công tác cải cách thể chế",
    "Công tác cải cách thủ tục hành chính; thực hiện cơ chế một cửa, một cửa liên thông",
    "Công tác cải cách tổ chức bộ máy hành chính nhà nước",
    "Cải cách chế độ công vụ, công chức",
    "Công tác cải cách tài chính công",
    "Xây dựng chính quyền điện tử, chính quyền số",
]
UNIT_NAME = "Ủy ban nhân dân huyện Bình Lục"
LEAD_NAME = "Nguyễn Thị Hồng Hạnh"
ISSUED_ON = datetime.date(2022, 6, 20)


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return normalise(" ".join(page.extract_text() for page in reader.pages))


def assert_in_text(phrase: str, text: str):
    """Whole phrase if the PDF kept it intact; otherwise every word (line breaks may split a phrase)."""
    phrase = normalise(phrase)
    if phrase in text:
        return
    words = set(text.replace(";", " ").replace(",", " ").replace(".", " ").split())
    missing = [w for w in phrase.replace(";", " ").replace(",", " ").split() if w not in words]
    assert not missing, f"{phrase!r} not in the PDF text (missing words: {missing})"


@pytest.fixture
def inspection(db):
    district = Unit.objects.create(kind="district", code="347", name=UNIT_NAME, short_name="Huyện Bình Lục")
    home_affairs = Unit.objects.create(
        kind="department", code="SNV", name="Sở Nội vụ tỉnh Hà Nam", short_name="Sở Nội vụ"
    )
    finance = Unit.objects.create(
        kind="department", code="STC", name="Sở Tài chính tỉnh Hà Nam", short_name="Sở Tài chính"
    )
    plan = InspectionPlan.objects.create(
        year=2022,
        number="1357",
        issue_date=datetime.date(2022, 5, 10),
        title="Kiểm tra việc thực hiện công tác cải cách hành chính năm 2022 trên địa bàn tỉnh Hà Nam",
        window_start=datetime.date(2022, 7, 1),
        window_end=datetime.date(2022, 9, 30),
        remediation_deadline=datetime.date(2022, 9, 30),
        self_inspection_deadline=datetime.date(2022, 10, 30),
    )
    for number, title in enumerate(AREA_TITLES, start=1):
        ContentArea.objects.create(plan=plan, number=number, title=title)
    team = InspectionTeam.objects.create(
        plan=plan, decision_number="1580/QĐ-UBND", decision_date=datetime.date(2022, 6, 1)
    )
    lead = TeamMember.objects.create(
        team=team, full_name=LEAD_NAME, position="Phó Giám đốc", agency=home_affairs, role=TeamMember.Role.LEAD
    )
    member = TeamMember.objects.create(
        team=team, full_name="Trần Văn Đức", position="Trưởng phòng", agency=finance, role=TeamMember.Role.MEMBER
    )
    visit = Inspection.objects.create(
        plan=plan,
        unit=district,
        date=datetime.date(2022, 7, 5),
        start_time=datetime.time(8, 0),
        end_time=datetime.time(11, 30),
        place="Hội trường tầng 3, trụ sở Ủy ban nhân dân huyện Bình Lục",
    )
    visit.members.set([member, lead])
    return visit


@pytest.mark.django_db
def test_schedule_notice_is_a_pdf_with_every_diacritic(inspection):
    data = schedule_notice_pdf(inspection, issued_on=ISSUED_ON)

    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for phrase in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND TỈNH HÀ NAM",
        "ĐOÀN KIỂM TRA CCHC",
        "/TB-ĐKT",
        "Hà Nam, ngày 20 tháng 6 năm 2022",
        "THÔNG BÁO",
        UNIT_NAME,
        "Căn cứ Kế hoạch số 1357/KH-UBND ngày 10/05/2022",
        "Quyết định số 1580/QĐ-UBND ngày 01/06/2022",
        "08h00-11h30, Thứ Ba, ngày 05/07/2022",
        "Hội trường tầng 3",
        "Trần Văn Đức",
        "Sở Tài chính",
        "28/06/2022",
        "08 bộ",
        "trước ngày kiểm tra 07 ngày",
        "Bộ phận tiếp nhận và trả kết quả",
        "Nơi nhận:",
        "Lưu: VT, ĐKT.",
        "TM. ĐOÀN KIỂM TRA",
        "TRƯỞNG ĐOÀN",
        LEAD_NAME,
    ]:
        assert_in_text(phrase, text)
    for title in AREA_TITLES:
        assert_in_text(title, text)


@pytest.mark.django_db
def test_schedule_notice_is_a4(inspection):
    reader = PdfReader(io.BytesIO(schedule_notice_pdf(inspection, issued_on=ISSUED_ON)))

    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(595.28, abs=1)
        assert float(page.mediabox.height) == pytest.approx(841.89, abs=1)


@pytest.mark.django_db
def test_schedule_notice_embeds_a_serif_font(inspection):
    if not shutil.which("fc-list"):
        pytest.skip("fontconfig is not installed")
    installed = subprocess.run(["fc-list", ":family=Liberation Serif"], capture_output=True, text=True).stdout
    if not installed.strip():
        pytest.skip("Liberation Serif is not installed")
    reader = PdfReader(io.BytesIO(schedule_notice_pdf(inspection, issued_on=ISSUED_ON)))

    fonts = [
        str(font.get_object().get("/BaseFont", ""))
        for page in reader.pages
        for font in page["/Resources"].get_object().get("/Font", {}).get_object().values()
    ]
    assert fonts
    assert all("Liberation" in name and "Serif" in name for name in fonts), fonts


@pytest.mark.django_db
def test_updated_notice_states_the_change_and_its_reason(inspection):
    old = (inspection.date, inspection.start_time, inspection.end_time, inspection.place)
    inspection.date = datetime.date(2022, 7, 14)
    inspection.start_time = datetime.time(14, 0)
    inspection.end_time = datetime.time(17, 0)
    inspection.place = "Phòng họp số 2, trụ sở Ủy ban nhân dân huyện Bình Lục"
    inspection.save()
    reschedule = Reschedule.objects.create(
        inspection=inspection,
        old_date=old[0],
        old_start_time=old[1],
        old_end_time=old[2],
        old_place=old[3],
        new_date=inspection.date,
        new_start_time=inspection.start_time,
        new_end_time=inspection.end_time,
        new_place=inspection.place,
        reason="Trùng lịch kỳ họp thứ sáu Hội đồng nhân dân tỉnh khóa XIX",
        changed_by=UserFactory(),
    )

    text = pdf_text(schedule_notice_pdf(inspection, reschedule=reschedule, issued_on=ISSUED_ON))

    for phrase in [
        "Về việc thay đổi lịch kiểm tra công tác cải cách hành chính",
        "08h00-11h30, Thứ Ba, ngày 05/07/2022",
        "14h00-17h00, Thứ Năm, ngày 14/07/2022",
        "Phòng họp số 2",
        "Trùng lịch kỳ họp thứ sáu Hội đồng nhân dân tỉnh khóa XIX",
        "07/07/2022",  # the report is due 7 days before the new date
        LEAD_NAME,
    ]:
        assert_in_text(phrase, text)


@pytest.mark.django_db
def test_notice_without_lead_or_decision_leaves_blanks(inspection):
    team = inspection.plan.team
    team.members.filter(role=TeamMember.Role.LEAD).delete()
    team.decision_number = ""
    team.save()

    text = pdf_text(schedule_notice_pdf(inspection, issued_on=ISSUED_ON))

    assert "TRƯỞNG ĐOÀN" in text
    assert LEAD_NAME not in text
    assert "Quyết định số" not in text


def test_place_date_line_pads_days_and_the_first_two_months():
    assert place_date_line("Hà Nam", datetime.date(2022, 7, 5)) == "Hà Nam, ngày 05 tháng 7 năm 2022"
    assert place_date_line("Hà Nam", datetime.date(2022, 2, 15)) == "Hà Nam, ngày 15 tháng 02 năm 2022"
    assert place_date_line("Hà Nam", datetime.date(2022, 12, 31)) == "Hà Nam, ngày 31 tháng 12 năm 2022"


def test_short_issuing_body():
    assert short_issuing_body("ỦY BAN NHÂN DÂN TỈNH HÀ NAM") == "UBND TỈNH HÀ NAM"
    assert short_issuing_body("Uỷ ban nhân dân tỉnh Hà Nam") == "UBND TỈNH HÀ NAM"
