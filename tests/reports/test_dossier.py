"""The inspection dossier: every document of a visit in one streamed ZIP, with an index of who
uploaded what and when; the same bytes as stored, safe names, flat memory, and who may download it."""

import csv
import datetime
import hashlib
import io
import json
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from freezegun import freeze_time
from pypdf import PdfWriter

from inspections import services
from inspections.models import (
    ConclusionRevision,
    EvidenceFile,
    Finding,
    Inspection,
    RemediationAction,
    ScheduleNotice,
    Submission,
)
from reports import dossier as dossier_module
from reports.dossier import INDEX_CSV, INDEX_HTML, conclusion_docs, dossier_entries, dossier_stream
from tests.factories import user_with_role
from tests.inspections import conftest as inspection_fixtures
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

REPORT_NAME = "Báo cáo CCHC năm 2022 - Huyện Alpha.pdf"
REPORT_V2_NAME = "Báo cáo CCHC năm 2022 (bổ sung).pdf"
FINDING_TEXT = "Chưa niêm yết đầy đủ thủ tục hành chính tại Bộ phận Một cửa."
FINDING_EVIDENCE_NAME = "Ảnh chụp Bộ phận Một cửa.pdf"
REMEDIATION_TEXT = "Đã niêm yết đủ 215 thủ tục hành chính."
REMEDIATION_EVIDENCE_NAME = "Ảnh niêm yết TTHC sau khắc phục.pdf"
REOPEN_REASON = "Bổ sung đánh giá về chính quyền số."
UNIT_STAFF_NAME = "Nguyễn Văn Thử"  # user_a, as UserFactory names everyone


def pdf_bytes(title: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stored_bytes(field) -> bytes:
    with field.storage.open(field.name, "rb") as handle:
        return handle.read()


def url(inspection) -> str:
    return reverse("reports:dossier", args=[inspection.pk])


def download(client, inspection) -> tuple[StreamingHttpResponse, zipfile.ZipFile, bytes]:
    response = client.get(url(inspection))
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content)
    return response, zipfile.ZipFile(io.BytesIO(body)), body


def index_rows(archive: zipfile.ZipFile) -> list[dict]:
    raw = archive.read(INDEX_CSV)
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the file as UTF-8
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.fixture
def lead_user(lead):
    lead.user = user_with_role(Role.INSPECTOR, username="lead", first_name="Hạnh", last_name="Nguyễn Thị Hồng")
    lead.save()
    return lead.user


@pytest.fixture
def full_visit(visit_a, coordinator, user_a, inspector, lead_user):
    """Unit A's visit with one of every kind of document, each at a known time (UTC+7 in comments)."""
    the_plan = visit_a.plan
    with freeze_time("2022-06-20 02:15"):  # 09:15
        services.notice_send(inspection=visit_a, user=coordinator)
    with freeze_time("2022-07-25 03:00"):  # 10:00
        services.submission_create(
            plan=the_plan,
            unit=visit_a.unit,
            kind=Submission.Kind.REPORT,
            uploaded_file=SimpleUploadedFile(REPORT_NAME, pdf_bytes("v1")),
            user=user_a,
            inspection=visit_a,
        )
    with freeze_time("2022-08-03 07:30"):  # 14:30, a day after the due date
        services.submission_create(
            plan=the_plan,
            unit=visit_a.unit,
            kind=Submission.Kind.REPORT,
            uploaded_file=SimpleUploadedFile(REPORT_V2_NAME, pdf_bytes("v2")),
            user=user_a,
            inspection=visit_a,
        )
    services.appendix_save(
        plan=the_plan, unit=visit_a.unit, values={"tthc_total": 215, "tthc_one_stop": 198}, user=user_a
    )
    with freeze_time("2022-08-09 03:20"):  # 10:20 on the day of the visit
        finding = services.finding_record(
            inspection=visit_a,
            area=the_plan.areas.get(number=3),
            criterion=None,
            kind=Finding.Kind.SHORTCOMING,
            text=FINDING_TEXT,
            user=inspector,
            files=[SimpleUploadedFile(FINDING_EVIDENCE_NAME, pdf_bytes("finding"))],
        )
    with freeze_time("2022-08-10 08:00"):
        conclusion = services.conclusion_start(inspection=visit_a, user=lead_user)
        services.action_add(conclusion=conclusion, finding=finding, text="", user=lead_user)
        services.conclusion_save(
            conclusion=conclusion, general_assessment="Cơ bản đạt yêu cầu.", areas={}, user=lead_user
        )
        services.conclusion_issue(conclusion=conclusion, user=lead_user)
    with freeze_time("2022-08-11 08:00"):
        services.conclusion_reopen(conclusion=conclusion, reason=REOPEN_REASON, user=lead_user)
        services.conclusion_save(
            conclusion=conclusion, general_assessment="Đạt yêu cầu; cần đẩy mạnh số hóa.", areas={}, user=lead_user
        )
        services.conclusion_issue(conclusion=conclusion, user=lead_user)
    action = RemediationAction.objects.get(conclusion=conclusion)
    with freeze_time("2022-09-15 02:05"):  # 09:05
        services.remediation_report(
            action=action,
            text=REMEDIATION_TEXT,
            user=user_a,
            files=[SimpleUploadedFile(REMEDIATION_EVIDENCE_NAME, pdf_bytes("remediation"))],
        )
    return visit_a


# --- What the archive holds ------------------------------------------------------------------


def test_the_dossier_holds_every_document_with_the_stored_bytes(client, full_visit, coordinator):
    client.force_login(coordinator)
    response, archive, body = download(client, full_visit)
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Length"] == str(len(body))
    assert archive.testzip() is None
    names = archive.namelist()
    assert names[:2] == [INDEX_CSV, INDEX_HTML]

    # Every stored file, under the app's own name, with exactly the bytes kept in storage.
    notice = ScheduleNotice.objects.get()
    v1, v2 = Submission.objects.order_by("uploaded_at")
    finding_evidence = EvidenceFile.objects.get(finding__isnull=False)
    remediation_evidence = EvidenceFile.objects.get(remediation_report__isnull=False)
    finding = finding_evidence.finding
    action = remediation_evidence.remediation_report.action
    report = remediation_evidence.remediation_report
    expected = {
        "01-thong-bao/thong-bao-lich-kiem-tra-1-2022-06-20.pdf": notice.pdf,
        "02-bao-cao/bao-cao-v1-2022-07-25.pdf": v1.file,
        "02-bao-cao/bao-cao-v2-2022-08-03.pdf": v2.file,
        f"04-minh-chung-kiem-tra/noi-dung-3-ket-qua-{finding.pk}-tep-1.pdf": finding_evidence.file,
        f"06-khac-phuc/yeu-cau-{action.pk}-bao-cao-{report.pk}-tep-1.pdf": remediation_evidence.file,
    }
    for name, field in expected.items():
        assert name in names
        assert sha256(archive.read(name)) == sha256(stored_bytes(field))
    for row in (v1, v2, finding_evidence, remediation_evidence):
        assert sha256(stored_bytes(row.file)) == row.sha256

    # The appendix figures, as the unit's workbook with its values filled in.
    sheet = openpyxl.load_workbook(io.BytesIO(archive.read("03-so-lieu-phu-luc/phu-luc-so-lieu.xlsx")))["Phụ lục"]
    by_code = {row[4].value: row[2].value for row in sheet.iter_rows() if row[4].value}
    assert by_code["tthc_total"] == 215 and by_code["tthc_one_stop"] == 198

    # Both issued revisions of the conclusion.
    revisions = list(ConclusionRevision.objects.order_by("number"))
    suffix = "pdf" if conclusion_docs() else "json"
    for revision, day in zip(revisions, ["2022-08-10", "2022-08-11"], strict=True):
        content = archive.read(f"05-ket-luan/ket-luan-lan-{revision.number}-{day}.{suffix}")
        if suffix == "pdf":
            assert content.startswith(b"%PDF-")
        else:
            assert json.loads(content.decode("utf-8")) == revision.snapshot

    assert len(names) == 2 + len(expected) + 1 + len(revisions)


def test_the_index_lists_every_file_with_who_and_when(client, full_visit, coordinator):
    client.force_login(coordinator)
    _response, archive, _body = download(client, full_visit)
    rows = index_rows(archive)
    files = [name for name in archive.namelist() if name not in (INDEX_CSV, INDEX_HTML)]
    assert [row["Tệp trong hồ sơ"] for row in rows] == files
    for row in rows:
        assert row["Người tải lên"] and row["Thời điểm tải lên"] and row["Mô tả"]
        assert int(row["Dung lượng (byte)"]) == len(archive.read(row["Tệp trong hồ sơ"]))
        assert row["SHA-256"] == sha256(archive.read(row["Tệp trong hồ sơ"]))

    by_path = {row["Tệp trong hồ sơ"]: row for row in rows}
    v1 = by_path["02-bao-cao/bao-cao-v1-2022-07-25.pdf"]
    assert v1["Tên tệp gốc"] == REPORT_NAME
    assert v1["Người tải lên"] == UNIT_STAFF_NAME
    assert v1["Thời điểm tải lên"] == "25/07/2022 10:00"
    assert v1["Mô tả"] == "Báo cáo theo Đề cương, phiên bản 1"
    v2 = by_path["02-bao-cao/bao-cao-v2-2022-08-03.pdf"]
    assert v2["Thời điểm tải lên"] == "03/08/2022 14:30" and "(gửi sau hạn)" in v2["Mô tả"]
    notice = by_path["01-thong-bao/thong-bao-lich-kiem-tra-1-2022-06-20.pdf"]
    assert notice["Thời điểm tải lên"] == "20/06/2022 09:15" and notice["Mô tả"].startswith("Thông báo lịch kiểm tra")
    finding = next(row for path, row in by_path.items() if path.startswith("04-"))
    assert finding["Tên tệp gốc"] == FINDING_EVIDENCE_NAME
    assert finding["Người tải lên"] == "Vũ Đức Minh" and finding["Thời điểm tải lên"] == "09/08/2022 10:20"
    assert FINDING_TEXT in finding["Mô tả"]
    remediation = next(row for path, row in by_path.items() if path.startswith("06-"))
    assert remediation["Tên tệp gốc"] == REMEDIATION_EVIDENCE_NAME
    assert remediation["Thời điểm tải lên"] == "15/09/2022 09:05"
    second = next(row for path, row in by_path.items() if path.startswith("05-ket-luan/ket-luan-lan-1"))
    assert second["Người tải lên"] == "Nguyễn Thị Hồng Hạnh" and REOPEN_REASON.rstrip(".") in second["Mô tả"]

    html = archive.read(INDEX_HTML).decode("utf-8")
    assert '<meta charset="utf-8">' in html
    assert "Ủy ban nhân dân huyện Alpha" in html
    for row in rows:
        assert row["Tệp trong hồ sơ"] in html and row["Người tải lên"] in html and row["Thời điểm tải lên"] in html
    assert REPORT_NAME in html and REMEDIATION_EVIDENCE_NAME in html


def test_archive_names_are_the_apps_own_never_the_users(client, full_visit, coordinator, user_a):
    finding = Finding.objects.get()
    with default_storage.open("evidence/hostile.pdf", "wb") as handle:
        handle.write(pdf_bytes("hostile"))
    EvidenceFile.objects.create(
        finding=finding,
        file="evidence/hostile.pdf",
        original_name="=HYPERLINK(..\\..\\windows).pdf",
        extension="p/../df",
        size=default_storage.size("evidence/hostile.pdf"),
        sha256="",
        uploaded_by=user_a,
    )
    client.force_login(coordinator)
    _response, archive, _body = download(client, full_visit)
    for name in archive.namelist():
        assert name.isascii() and ".." not in name and not name.startswith("/") and "\\" not in name
        assert not any(part in name for part in ("Báo", "HYPERLINK", "windows"))
    # A user's text that looks like a formula stays text in Excel.
    assert "'=HYPERLINK(..\\..\\windows).pdf" in [row["Tên tệp gốc"] for row in index_rows(archive)]


def test_a_file_missing_from_storage_is_listed_not_packed(client, full_visit, coordinator):
    evidence = EvidenceFile.objects.get(finding__isnull=False)
    default_storage.delete(evidence.file.name)
    client.force_login(coordinator)
    _response, archive, _body = download(client, full_visit)
    assert archive.testzip() is None
    row = next(row for row in index_rows(archive) if row["Tên tệp gốc"] == FINDING_EVIDENCE_NAME)
    assert row["Ghi chú"].startswith("Không tìm thấy tệp")
    assert row["Tệp trong hồ sơ"] not in archive.namelist()


def test_conclusions_are_kept_as_json_without_the_pdf_module(full_visit, monkeypatch):
    monkeypatch.setattr(dossier_module, "conclusion_docs", lambda: None)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(dossier_stream(full_visit))))
    revision = ConclusionRevision.objects.get(number=2)
    content = archive.read("05-ket-luan/ket-luan-lan-2-2022-08-11.json").decode("utf-8")
    assert "Đạt yêu cầu; cần đẩy mạnh số hóa." in content  # not \u-escaped
    assert json.loads(content) == revision.snapshot


def test_conclusions_are_pdfs_when_the_conclusion_module_is_there(full_visit):
    if conclusion_docs() is None:
        pytest.skip("reports/conclusion_docs.py is not there yet")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(dossier_stream(full_visit))))
    assert archive.read("05-ket-luan/ket-luan-lan-1-2022-08-10.pdf").startswith(b"%PDF-")


def test_a_visit_with_no_documents_still_has_its_index(client, visit_b, coordinator):
    client.force_login(coordinator)
    _response, archive, _body = download(client, visit_b)
    assert archive.namelist() == [INDEX_CSV, INDEX_HTML, "03-so-lieu-phu-luc/phu-luc-so-lieu.xlsx"]
    row = index_rows(archive)[0]
    assert row["Mô tả"] == "Phụ lục số liệu của đơn vị (đơn vị chưa nhập số liệu)"


def test_the_entries_take_a_fixed_number_of_queries(full_visit, visit_b):
    counts = []
    for pk in (full_visit.pk, visit_b.pk):
        inspection = Inspection.objects.select_related("plan", "unit").get(pk=pk)
        with CaptureQueriesContext(connection) as queries:
            dossier_entries(inspection)
        counts.append(len(queries))
    assert counts == [7, 7]


# --- Streaming -------------------------------------------------------------------------------


def test_memory_stays_flat_while_streaming_30_mb_of_evidence(client, visit_b, coordinator, tmp_path):
    finding = Finding.objects.create(
        plan=visit_b.plan,
        unit=visit_b.unit,
        inspection=visit_b,
        area=visit_b.plan.areas.get(number=1),
        kind=Finding.Kind.STRENGTH,
        text="Ban hành kế hoạch CCHC kịp thời.",
        created_by=coordinator,
    )
    ten_mb = 10 * 1024 * 1024
    for number in range(3):
        content = b"%PDF-1.4\n" + bytes([number]) * (ten_mb - 9)
        name = default_storage.save(f"evidence/big-{number}.pdf", ContentFile(content))
        EvidenceFile.objects.create(
            finding=finding,
            file=name,
            original_name=f"Biên bản số {number}.pdf",
            extension="pdf",
            size=len(content),
            sha256=sha256(content),
            uploaded_by=coordinator,
        )
        del content

    client.force_login(coordinator)
    response = client.get(url(visit_b))
    assert response.status_code == 200
    target = tmp_path / "dossier.zip"
    tracemalloc.start()
    try:
        with target.open("wb") as out:
            for chunk in response.streaming_content:
                out.write(chunk)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10 * 1024 * 1024, f"peak {peak / 1024 / 1024:.1f} MB"
    assert target.stat().st_size == int(response["Content-Length"]) > 3 * ten_mb
    with zipfile.ZipFile(target) as archive:
        assert archive.testzip() is None
        assert sum(info.file_size for info in archive.infolist() if info.filename.startswith("04-")) == 3 * ten_mb


# --- Who may download it ---------------------------------------------------------------------


def test_coordinators_leadership_and_the_visits_inspectors_download_it(
    client, visit_a, coordinator, leader, inspector, lead_user
):
    for user in (coordinator, leader, inspector, lead_user):
        client.force_login(user)
        response = client.get(url(visit_a))
        assert response.status_code == 200, user
        assert response["Content-Disposition"] == (
            f'attachment; filename="ho-so-kiem-tra-2022-{visit_a.unit.code}.zip"'
        )
        b"".join(response.streaming_content)


def test_an_inspector_not_on_the_visit_gets_404(client, visit_a, visit_b, inspector):
    client.force_login(inspector)
    assert client.get(url(visit_b)).status_code == 404


def test_another_inspector_gets_404(client, visit_a):
    client.force_login(user_with_role(Role.INSPECTOR, username="other_inspector"))
    assert client.get(url(visit_a)).status_code == 404


def test_the_units_own_staff_get_403(client, visit_a, user_a):
    client.force_login(user_a)
    assert client.get(url(visit_a)).status_code == 403


def test_another_units_staff_get_404(client, visit_a, user_b):
    client.force_login(user_b)
    assert client.get(url(visit_a)).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, visit_a):
    response = client.get(url(visit_a))
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_only_get_is_allowed(client, visit_a, coordinator):
    client.force_login(coordinator)
    assert client.post(url(visit_a)).status_code == 405


def test_the_index_stays_vietnamese_in_an_english_session(full_visit):
    with translation.override("en"):
        archive = zipfile.ZipFile(io.BytesIO(b"".join(dossier_stream(full_visit))))
    descriptions = [row["Mô tả"] for row in index_rows(archive)]
    assert "Báo cáo theo Đề cương, phiên bản 1" in descriptions


def test_local_times_are_vietnam_time():
    moment = datetime.datetime(2022, 12, 31, 17, 30, tzinfo=datetime.UTC)
    assert dossier_module.format_moment(moment) == "01/01/2023 00:30"
