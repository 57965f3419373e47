"""A leader opens the dashboard and downloads the provincial summary in PDF and Excel.

The summary is made by a django-tasks task; tests/conftest.py runs tasks at once (ImmediateBackend),
inside the live server's request, so the status page offers the download straight away."""

import io
import re
import unicodedata

import openpyxl
import pytest
from pypdf import PdfReader

from inspections import services
from inspections.models import InspectionPlan
from reports.models import GeneratedDocument
from tests.e2e.browser import expect, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("media_root")]

TITLE = "Kết quả kiểm tra công tác cải cách hành chính năm 2022"
MAKING_TIMEOUT_MS = 60_000  # WeasyPrint on a busy 2-core machine


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def download_summary(page, label: str) -> bytes:
    page.get_by_test_id("summary-documents").get_by_role("button", name=label, exact=True).click()
    expect(
        page.get_by_role("heading", name=f"Báo cáo tổng hợp kết quả kiểm tra CCHC năm 2022 ({label})")
    ).to_be_visible(timeout=MAKING_TIMEOUT_MS)
    expect(page.get_by_test_id("status")).to_have_text("Đã xong")
    with page.expect_download() as info:
        page.get_by_role("link", name=f"Tải về ({label})").click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename.startswith("bao-cao-ket-qua-kiem-tra-cchc-2022.")
    with open(download.path(), "rb") as downloaded:
        return downloaded.read()


def test_a_leader_opens_the_dashboard_and_downloads_the_summary(page, live_server, plan, visit_a, visit_b, leader):
    services.plan_set_status(plan=plan, status=InspectionPlan.Status.ACTIVE)
    log_in(page, live_server, leader)
    page.get_by_role("navigation").get_by_role("link", name="Tổng quan").click()
    expect(page.get_by_role("heading", name="Tổng quan kết quả kiểm tra CCHC năm 2022")).to_be_visible()
    expect(page.get_by_test_id("key-figures")).to_contain_text("Kiểm tra trực tiếp")
    expect(page.locator("[data-figure=visits-done]")).to_have_text("0")
    expect(page.get_by_test_id("key-figures")).to_contain_text("/2")

    data = download_summary(page, "PDF")
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    text = normalise(" ".join(p.extract_text() for p in reader.pages))
    assert "BÁO CÁO" in text
    assert TITLE in text

    page.get_by_role("link", name="Về trang tổng quan").click()
    data = download_summary(page, "Excel")
    assert data.startswith(b"PK")
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert "Tổ chức" in workbook.sheetnames
    assert any(
        re.search("Huyện Alpha|Ủy ban nhân dân huyện Alpha", str(cell))
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell
    )
    done = GeneratedDocument.objects.filter(plan=plan, status=GeneratedDocument.Status.DONE)
    assert sorted(done.values_list("kind", flat=True)) == ["pdf", "xlsx"]
